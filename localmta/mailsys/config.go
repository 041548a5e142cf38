// Package mailsys is the one place where the mail system of a profile
// starts: the local MTA of package localmta with the POP3 server of
// localmta/pop3d, the IMAP server of localmta/imapd and the control socket
// of localmta/control. `facteur mta` runs it in the foreground (Options.
// Exclusive: it refuses to start beside a running MTA) and the GUI inside
// its window; Start there never runs a second MTA on a profile whose MTA
// already runs elsewhere: it then drives that one through its control
// socket. Settings and LoadConfig read the configuration as Postfix reads
// main.cf and its tables: the flags, the MTA directory's options file, and
// its users, aliases, transport (transport(5)), relayhost and domains
// files.
package mailsys

import (
	"strings"

	"facteur/localmta"
	"facteur/localmta/imapd"
	"facteur/localmta/pop3d"
)

// The default loopback addresses of the mail system.
const (
	DefaultSMTP       = "127.0.0.1:2525"
	DefaultSubmission = "127.0.0.1:2587"
	DefaultPOP3       = pop3d.DefaultAddr
	DefaultIMAP       = imapd.DefaultAddr
)

// Off as an address turns a listener off.
const Off = "off"

// Addrs are the listening addresses; "" means the default, Off none.
type Addrs struct {
	SMTP       string // plain SMTP with STARTTLS; never off
	Submission string // RFC 6409 submission, AUTH required
	POP3       string
	IMAP       string // IMAP with STARTTLS
	IMAPS      string // IMAP with implicit TLS; off by default
}

// WithDefaults fills the addresses left empty.
func (a Addrs) WithDefaults() Addrs {
	if a.SMTP == "" || a.SMTP == Off {
		a.SMTP = DefaultSMTP
	}
	if a.Submission == "" {
		a.Submission = DefaultSubmission
	}
	if a.POP3 == "" {
		a.POP3 = DefaultPOP3
	}
	if a.IMAP == "" {
		a.IMAP = DefaultIMAP
	}
	if a.IMAPS == "" {
		a.IMAPS = Off
	}
	return a
}

// Loader returns the MTA's configuration for the MTA directory dir and
// the addresses asked for, and the addresses it settled on (a
// configuration file may change them).
type Loader func(dir string, addrs Addrs) (localmta.Config, Addrs, error)

// BareConfig is the Loader of a profile without configuration files: the
// listeners of addrs, and the mailbox of login (the Local account's) on
// the local domains, this host's name and localhost.
func BareConfig(login string) Loader {
	return func(dir string, addrs Addrs) (localmta.Config, Addrs, error) {
		cfg := localmta.Config{Dir: dir, Listeners: Listeners(addrs), LocalUsers: []string{strings.ToLower(login)}}
		return cfg, addrs, nil
	}
}

// Listeners are the SMTP listeners of addrs.
func Listeners(a Addrs) []localmta.Listener {
	ls := []localmta.Listener{{Addr: a.SMTP}}
	if a.Submission != "" && a.Submission != Off {
		ls = append(ls, localmta.Listener{Addr: a.Submission, Submission: true})
	}
	return ls
}
