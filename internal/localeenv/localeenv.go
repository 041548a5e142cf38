// Package localeenv mends the locale environment before Fyne reads it. Fyne's
// lang package looks up the user's language when it is initialised, and
// reports "C.UTF-8" (Debian's and Ubuntu's default in containers and on
// servers) as a malformed language tag on every start. C.UTF-8 means the
// untranslated messages, exactly like C: for the messages category Facteur
// says so with LC_MESSAGES=C, which the lookup understands.
//
// Import it for its side effect, before any Fyne package, from main and from
// the GUI package: Go initialises "facteur/..." packages whose imports are
// ready before "fyne.io/..." ones.
package localeenv

import (
	"os"
	"strings"
)

func init() { Mend(os.Getenv, os.Setenv) }

// Mend sets LC_MESSAGES=C when the locale that decides the language of
// messages (LC_ALL, else LC_MESSAGES, else LANG) is a C or POSIX locale with a
// codeset, such as "C.UTF-8". It changes nothing else.
func Mend(getenv func(string) string, setenv func(string, string) error) {
	if getenv("LC_ALL") != "" {
		return
	}
	loc := getenv("LC_MESSAGES")
	if loc == "" {
		loc = getenv("LANG")
	}
	base, _, hasCodeset := strings.Cut(loc, ".")
	if hasCodeset && (base == "C" || base == "POSIX") {
		_ = setenv("LC_MESSAGES", "C")
	}
}
