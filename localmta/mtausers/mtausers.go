// Package mtausers is the table of logins and passwords of the local mail
// system (the profile's mta/users file): the same logins for SMTP AUTH on
// submission (RFC 4954), POP3 (RFC 1939, RFC 5034) and IMAP (RFC 9051
// LOGIN and AUTHENTICATE PLAIN, RFC 4616).
package mtausers

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"strings"

	"facteur/localmta/tablefile"

	"golang.org/x/crypto/bcrypt"
)

// Users is the AUTH table: login -> password, either a bcrypt hash
// ("$2a$...", "$2b$...", "$2y$...") or "{plain}secret".
type Users map[string]string

// ErrBadCredentials is returned for a wrong login or password.
var ErrBadCredentials = errors.New("mtausers: bad credentials")

// Load reads a users file: "login:password" lines, '#' comments.
func Load(path string) (Users, error) {
	return tablefile.Load(path, Parse)
}

// Parse reads "login:password" lines.
func Parse(r io.Reader) (Users, error) {
	u := Users{}
	err := tablefile.EachEntry(r, func(n int, line string) error {
		login, pass, ok := strings.Cut(line, ":")
		if !ok || login == "" || pass == "" {
			return fmt.Errorf("users: line %d: want login:password", n)
		}
		u[strings.ToLower(login)] = pass
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Check verifies a login and password.
func (u Users) Check(login, password string) error {
	stored, ok := u[strings.ToLower(login)]
	if !ok {
		bcrypt.CompareHashAndPassword([]byte("$2a$10$invalidinvalidinvalidinuXnA8o2l5fK5S8h8S3uVq2m9r9mJ1iS"), []byte(password))
		return ErrBadCredentials
	}
	if plain, ok := strings.CutPrefix(stored, "{plain}"); ok {
		if subtle.ConstantTimeCompare([]byte(plain), []byte(password)) == 1 {
			return nil
		}
		return ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(stored), []byte(password)) != nil {
		return ErrBadCredentials
	}
	return nil
}
