package mailsys

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"facteur/localmta"
)

// FilesHelp documents the optional files of the MTA directory.
const FilesHelp = `
Configuration files, read at start when present in the profile's mta/ directory:
  users       login:password lines, the password a bcrypt hash ($2a$...) or {plain}secret;
              the logins of SMTP AUTH, POP3 and IMAP, each with a local mailbox
  aliases     /etc/aliases format: "name: user, other@remote.example", '#' comments
  transport   Postfix transport(5) table: "example.com smtp:[192.168.23.56]:20025",
              ".sub.example.com smtp:relay.example", "* smtp:[smarthost]:587"
  relayhost   a smarthost for all non-local mail, Postfix style: first line
              "[smtp.example.com]:587" (brackets: no MX look-up), then optional
              "username NAME", "password SECRET", "require_tls" lines
  domains     more local domains, one a line (the host name and localhost always are)
  options     any option of this command, one a line, without its dashes:
              "deliver mbox", "relay-nets 127.0.0.1/32, 192.168.1.0/24", "mx-port 2525";
              an option given on the command line wins
The MTA keeps its queue in mta/queue, its TLS certificate in mta/tls, and publishes its
addresses in mta/control.json while it runs (mta.lock is held meanwhile).
Local mail goes into the Local account's INBOX, served over POP3 and IMAP (--deliver maildir),
or is appended to the mbox spool file mta/mail/<login>, the /var/mail/login of
Unix systems (--deliver mbox).
`

// Settings are the options of the mail system as given, on `facteur mta`'s
// command line or in the MTA directory's options file, before they are
// checked (LoadConfig checks them).
type Settings struct {
	SMTP, Submission, POP3, IMAP, IMAPS string
	Hostname, DNS                       string
	Deliver, RelayNets, SourceIP        string
	MXPort, DelayWarning                string
	MaxConns, MaxClientConns            string
	// Login is the Local account's mailbox (the user's login name).
	Login string
	// Set names the options given on the command line: the options
	// file does not override them.
	Set map[string]bool
}

// Flag is one option of the mail system: its name (the command-line flag
// and the options file's keyword), default and usage.
type Flag struct {
	Name, Value, Usage string
	Field              func(*Settings) *string
}

// Flags are the options of the mail system, in the order of `facteur mta
// -help`.
var Flags = []Flag{
	{"smtp", DefaultSMTP, "SMTP listen address (STARTTLS offered)", func(o *Settings) *string { return &o.SMTP }},
	{"submission", DefaultSubmission, `submission listen address, AUTH required ("off": none)`, func(o *Settings) *string { return &o.Submission }},
	{"pop3", DefaultPOP3, `POP3 listen address ("off": none)`, func(o *Settings) *string { return &o.POP3 }},
	{"imap", DefaultIMAP, `IMAP listen address, STARTTLS offered ("off": none)`, func(o *Settings) *string { return &o.IMAP }},
	{"imaps", Off, `IMAP listen address with implicit TLS, such as 127.0.0.1:1993 ("off": none)`, func(o *Settings) *string { return &o.IMAPS }},
	{"hostname", "", "host name in greetings and Received lines (default: this host's name)", func(o *Settings) *string { return &o.Hostname }},
	{"dns", "", "DNS server for MX look-ups, host:port (default: the system's resolver)", func(o *Settings) *string { return &o.DNS }},
	{"deliver", "maildir", `local delivery: "maildir" (the Local account's INBOX) or "mbox" (spool files mta/mail/<login>)`, func(o *Settings) *string { return &o.Deliver }},
	{"relay-nets", "", "client networks that may relay without AUTH, CIDR,... (default: loopback, 127.0.0.0/8 and ::1)", func(o *Settings) *string { return &o.RelayNets }},
	{"source-ip", "", "local address of outgoing SMTP connections (default: chosen by the system)", func(o *Settings) *string { return &o.SourceIP }},
	{"mx-port", "", "port of the MX hosts, for test networks only: mail between MTAs goes to port 25 (default 25)", func(o *Settings) *string { return &o.MXPort }},
	{"delay-warning", "", `tell the sender once when a message is still queued after this long, "4h" (Postfix's delay_warning_time; default: never)`, func(o *Settings) *string { return &o.DelayWarning }},
	{"max-connections", "", `open SMTP connections at most, the excess answered 421 ("none": no limit; default 500)`, func(o *Settings) *string { return &o.MaxConns }},
	{"max-client-connections", "", `open SMTP connections per client outside --relay-nets ("none": no limit; default 50)`, func(o *Settings) *string { return &o.MaxClientConns }},
}

// DefaultSettings are the defaults of every flag, for the Local account's
// mailbox login: `facteur mta` without options, the GUI's mail system,
// sendmail's pick-up.
func DefaultSettings(login string) Settings {
	s := Settings{Login: login, Set: map[string]bool{}}
	for _, f := range Flags {
		*f.Field(&s) = f.Value
	}
	return s
}

// Addrs are the listening addresses of s.
func (s Settings) Addrs() Addrs {
	return Addrs{SMTP: s.SMTP, Submission: s.Submission, POP3: s.POP3, IMAP: s.IMAP, IMAPS: s.IMAPS}
}

// Loader is the Loader of these settings: it completes them with the
// options file of the MTA directory (an address asked by the caller of
// Start counts as a default, the command line wins), then reads the other
// files (LoadConfig).
func (s Settings) Loader() Loader {
	return func(dir string, addrs Addrs) (localmta.Config, Addrs, error) {
		opt := s.withAddrs(addrs)
		opt, err := ReadSettings(dir, opt)
		if err != nil {
			return localmta.Config{}, addrs, err
		}
		opt = opt.imapOffForMbox()
		cfg, err := LoadConfig(dir, opt)
		return cfg, opt.Addrs(), err
	}
}

// withAddrs takes the addresses of a that the command line did not set.
func (s Settings) withAddrs(a Addrs) Settings {
	for name, v := range map[string]string{"smtp": a.SMTP, "submission": a.Submission, "pop3": a.POP3, "imap": a.IMAP, "imaps": a.IMAPS} {
		if v == "" || s.Set[name] {
			continue
		}
		i := slices.IndexFunc(Flags, func(f Flag) bool { return f.Name == name })
		*Flags[i].Field(&s) = v
	}
	return s
}

// ReadSettings completes opt with the options file of the MTA directory:
// "name value" lines, the names of the flags; the options given on the
// command line (opt.Set) win. A missing file changes nothing.
func ReadSettings(dir string, opt Settings) (Settings, error) {
	path := filepath.Join(dir, "options")
	seen := map[string]bool{}
	err := readConfigLines(path, func(line string) error {
		name, value, _ := strings.Cut(line, " ")
		name = strings.TrimPrefix(strings.TrimPrefix(name, "-"), "-")
		i := slices.IndexFunc(Flags, func(f Flag) bool { return f.Name == name })
		switch {
		case i < 0:
			return fmt.Errorf("unknown option %q", name)
		case seen[name]:
			return fmt.Errorf("option %q given twice", name)
		}
		seen[name] = true
		if !opt.Set[name] {
			*Flags[i].Field(&opt) = strings.TrimSpace(value)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return opt, nil
	}
	if err == nil && (opt.SMTP == "" || opt.SMTP == Off) {
		err = errors.New("smtp: the MTA needs an SMTP listen address")
	}
	if err != nil {
		return opt, fmt.Errorf("mta: %s: %w", path, err)
	}
	return opt, nil
}

// imapOffForMbox turns the IMAP server off by default when local mail
// goes to mbox spool files: it serves the Local account's Maildir folders,
// where that mail does not arrive. An address given explicitly stays.
func (s Settings) imapOffForMbox() Settings {
	if strings.EqualFold(s.Deliver, "mbox") && !s.Set["imap"] && s.IMAP == DefaultIMAP {
		s.IMAP = Off
	}
	return s
}
