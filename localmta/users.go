package localmta

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Users is the AUTH table: login -> password, either a bcrypt hash
// ("$2a$...", "$2b$...", "$2y$...") or "{plain}secret".
type Users map[string]string

// ErrBadCredentials is returned for a wrong login or password.
var ErrBadCredentials = errors.New("localmta: bad credentials")

// LoadUsers reads a users file: "login:password" lines, '#' comments.
func LoadUsers(path string) (Users, error) {
	return loadTable(path, ParseUsers)
}

// ParseUsers reads "login:password" lines.
func ParseUsers(r io.Reader) (Users, error) {
	u := Users{}
	err := eachEntry(r, func(n int, line string) error {
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
