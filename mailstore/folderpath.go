package mailstore

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Folder names on disk. An account is one directory under mail/, a folder is a
// path of directories under it, one per hierarchy level of its name ('/'
// separates the levels). Each level is encoded so that any UTF-8 name is a
// valid, portable file name that never leaves the mail directory: '%', path
// separators, characters Windows forbids, control characters, a leading dot,
// a trailing dot or space, and names that clash with cur/new/tmp or with
// Windows device names are written as %XX.

// validRef checks an account and folder name.
func validRef(ref FolderRef) error {
	bad := func() error { return &FolderError{Ref: ref, Err: ErrBadFolder} }
	if ref.Account == "" || strings.Contains(ref.Account, "/") || !validName(ref.Account) {
		return bad()
	}
	for _, level := range strings.Split(ref.Name, "/") {
		if level == "" || !validName(level) {
			return bad()
		}
	}
	return nil
}

func validName(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// folderDir returns the relative directory of a folder under the mail dir.
func folderDir(ref FolderRef) string {
	parts := []string{encodeLevel(ref.Account)}
	for _, level := range strings.Split(ref.Name, "/") {
		parts = append(parts, encodeLevel(level))
	}
	return filepath.Join(parts...)
}

// reservedLevel tells whether a name must have its first byte encoded.
func reservedLevel(s string) bool {
	base := strings.ToUpper(s)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) &&
		base[3] >= '0' && base[3] <= '9' {
		return true
	}
	switch strings.ToLower(s) {
	case subCur, subNew, subTmp:
		return true
	}
	return s[0] == '.'
}

// mustEscape tells whether byte c at position i of s is encoded.
func mustEscape(s string, i int) bool {
	c := s[i]
	switch {
	case c < 0x20 || c == 0x7f:
		return true
	case strings.IndexByte(`%/\:*?"<>|`, c) >= 0:
		return true
	case i == 0 && reservedLevel(s):
		return true
	case i == len(s)-1 && (c == '.' || c == ' '):
		return true
	}
	return false
}

// encodeLevel encodes one level of a folder name (or an account name).
func encodeLevel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if mustEscape(s, i) {
			fmt.Fprintf(&b, "%%%02X", s[i])
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// decodeLevel reverses encodeLevel. A '%' not followed by two hex digits is
// kept as it is (a directory another program made).
func decodeLevel(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// RoleForName guesses the role of a folder from its name, as mail programs
// do for servers without RFC 6154 special-use attributes (Thunderbird's
// list of usual names, in several languages): the folders found on disk
// without a role file, and IMAP folders without \Sent, \Drafts... The
// comparison ignores case. Outbox is Facteur's local outbox only.
func RoleForName(name string) Role {
	return namedRoles[strings.ToLower(name)]
}

var namedRoles = func() map[string]Role {
	m := map[string]Role{}
	for role, names := range map[Role][]string{
		RoleInbox: {"inbox"},
		RoleSent: {"sent", "sent items", "sent messages", "sent mail", "envoyés", "envoyes",
			"éléments envoyés", "messages envoyés", "gesendet", "gesendete objekte", "gesendete elemente",
			"enviados", "elementos enviados", "posta inviata", "inviati", "verzonden", "verzonden items",
			"skickat", "skickade objekt", "wysłane", "odeslaná pošta", "отправленные"},
		RoleDrafts: {"drafts", "brouillons", "entwürfe", "borradores", "bozze", "concepten", "utkast",
			"kopie robocze", "koncepty", "черновики"},
		RoleTrash: {"trash", "deleted items", "deleted messages", "bin", "corbeille", "éléments supprimés",
			"papierkorb", "gelöschte objekte", "gelöschte elemente", "papelera", "elementos eliminados",
			"cestino", "posta eliminata", "prullenbak", "verwijderde items", "papperskorg", "kosz",
			"koš", "корзина"},
		RoleJunk: {"junk", "spam", "junk e-mail", "junk email", "junk mail", "bulk mail", "indésirables",
			"courrier indésirable", "pourriel", "junk-e-mail", "correo no deseado", "posta indesiderata",
			"ongewenste e-mail", "skräppost", "nevyžádaná pošta", "спам"},
		RoleArchive: {"archive", "archives", "archiv", "archivo", "archivio", "archief", "arkiv",
			"archiwum", "архив"},
		RoleOutbox: {"outbox", "boîte d'envoi"},
	} {
		for _, n := range names {
			m[n] = role
		}
	}
	return m
}()
