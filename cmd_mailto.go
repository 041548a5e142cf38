package main

import (
	"fmt"
	"strings"

	"facteur/internal/profile"
	"facteur/mua/account"
	"facteur/mua/compose"
)

// openComposer opens the main window with a composer filled with the
// draft: the hook of `facteur mailto:...` (and of the desktop's mailto:
// handler). Tests replace it to see the draft without a window.
var openComposer = func(e *env, d compose.Draft) error {
	return runGUI(e, &d)
}

// isMailto tells whether a command-line argument is a mailto: URI.
func isMailto(arg string) bool {
	return len(arg) >= 7 && strings.EqualFold(arg[:7], "mailto:")
}

// cmdMailto parses a mailto: URI (RFC 6068) into a draft from the default
// account and opens the composer with it.
func cmdMailto(e *env, uri string) error {
	id := account.Identity{Address: localAddress()}
	if p, err := profile.Open(e.profile); err == nil {
		if a, err := sendAccount(account.OpenBook(p.ConfigFile()), ""); err == nil && a != nil {
			id = a.Identity
		}
	}
	d, err := compose.ParseMailto(uri, id)
	if err != nil {
		return usageError{err.Error()}
	}
	return openComposer(e, d)
}

func printDraft(e *env, d compose.Draft) {
	for _, f := range []struct{ name, v string }{
		{"From", d.From.Address}, {"To", d.To}, {"Cc", d.Cc}, {"Bcc", d.Bcc},
		{"Subject", d.Subject}, {"In-Reply-To", d.InReplyTo},
	} {
		if f.v != "" {
			fmt.Fprintf(e.stdout, "%s: %s\n", f.name, f.v)
		}
	}
	if err := d.Check(); err != nil {
		fmt.Fprintf(e.stdout, "(problem: %v)\n", err)
	}
	if d.Body != "" {
		fmt.Fprintf(e.stdout, "\n%s\n", strings.TrimRight(d.Body, "\n"))
	}
}
