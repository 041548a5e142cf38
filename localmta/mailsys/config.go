// Package mailsys runs the mail system of a profile: the local MTA of
// package localmta with the POP3 server of localmta/pop3d and the control
// socket of localmta/control, configured from the files of the profile's
// mta/ directory. `facteur mta` and the GUI both configure the MTA with
// Load; the GUI runs it with Start, which never runs a second MTA on a
// profile whose MTA already runs elsewhere (it then drives that one
// through its control socket).
package mailsys

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"facteur/localmta"
	"facteur/localmta/pop3d"
)

// The default loopback addresses of the mail system.
const (
	DefaultSMTP       = "127.0.0.1:2525"
	DefaultSubmission = "127.0.0.1:2587"
	DefaultPOP3       = pop3d.DefaultAddr
)

// Off as an address turns a listener off.
const Off = "off"

// Addrs are the listening addresses; "" means the default, Off none.
type Addrs struct {
	SMTP       string // plain SMTP with STARTTLS; never off
	Submission string // RFC 6409 submission, AUTH required
	POP3       string
}

func (a Addrs) withDefaults() Addrs {
	if a.SMTP == "" || a.SMTP == Off {
		a.SMTP = DefaultSMTP
	}
	if a.Submission == "" {
		a.Submission = DefaultSubmission
	}
	if a.POP3 == "" {
		a.POP3 = DefaultPOP3
	}
	return a
}

// FilesHelp documents the optional files of the profile's mta/ directory.
const FilesHelp = `
Configuration files, read at start when present in the profile's mta/ directory:
  users       login:password lines, the password a bcrypt hash ($2a$...) or {plain}secret;
              the logins of SMTP AUTH and POP3, each with a local mailbox
  aliases     /etc/aliases format: "name: user, other@remote.example", '#' comments
  transport   Postfix transport(5) table: "example.com smtp:[192.168.23.56]:20025",
              ".sub.example.com smtp:relay.example", "* smtp:[smarthost]:587"
  relayhost   a smarthost for all non-local mail, Postfix style: first line
              "[smtp.example.com]:587" (brackets: no MX look-up), then optional
              "username NAME", "password SECRET", "require_tls" lines
  domains     more local domains, one a line (the host name and localhost always are)
The MTA keeps its queue in mta/queue, its TLS certificate in mta/tls, and publishes its
addresses in mta/control.json while it runs (mta.lock is held meanwhile).
Local mail goes into the Local account's INBOX, served over POP3.
`

// Load builds the MTA's configuration for the MTA directory dir from the
// listening addresses, the host name ("" means this host's), the DNS
// server ("" means the system's) and the optional files of dir (see
// FilesHelp). The user running Facteur (LocalLogin) always has a mailbox,
// and localhost is always a local domain.
func Load(dir string, addrs Addrs, hostname, dns string) (localmta.Config, error) {
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	cfg := localmta.Config{
		Dir:        dir,
		Hostname:   hostname,
		DNSServer:  dns,
		Listeners:  listeners(addrs),
		LocalUsers: []string{LocalLogin()},
	}
	var domains []string
	errs := []error{
		load(dir, "users", localmta.LoadUsers, &cfg.Users),
		load(dir, "aliases", localmta.LoadAliases, &cfg.Aliases),
		load(dir, "transport", localmta.LoadTransportTable, &cfg.Transports),
		load(dir, "relayhost", LoadRelayHost, &cfg.RelayHost),
		load(dir, "domains", loadDomains, &domains),
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, err
	}
	if hostname != "" && len(domains) > 0 {
		cfg.LocalDomains = append([]string{strings.ToLower(hostname), "localhost"}, domains...)
	}
	return cfg, nil
}

// load reads the optional file dir/name into *dst; a missing file leaves
// *dst alone.
func load[T any](dir, name string, read func(string) (T, error), dst *T) error {
	path := filepath.Join(dir, name)
	v, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mta: %s: %w", path, err)
	}
	*dst = v
	return nil
}

func listeners(a Addrs) []localmta.Listener {
	ls := []localmta.Listener{{Addr: a.SMTP}}
	if a.Submission != "" && a.Submission != Off {
		ls = append(ls, localmta.Listener{Addr: a.Submission, Submission: true})
	}
	return ls
}

// loadDomains reads one domain a line, '#' comments.
func loadDomains(path string) ([]string, error) {
	var out []string
	err := readConfigLines(path, func(line string) error {
		out = append(out, strings.ToLower(strings.TrimSuffix(line, ".")))
		return nil
	})
	return out, err
}

// LoadRelayHost reads the relayhost file: "[host]:port" or "host[:port]"
// on the first line, then "username NAME", "password SECRET" and
// "require_tls" lines.
func LoadRelayHost(path string) (*localmta.RelayHost, error) {
	var rh *localmta.RelayHost
	err := readConfigLines(path, func(line string) error {
		if rh == nil {
			var err error
			rh, err = ParseRelayHost(line)
			return err
		}
		return setRelayOption(rh, line)
	})
	if err == nil && rh == nil {
		err = errors.New("no relay host")
	}
	return rh, err
}

// ParseRelayHost reads Postfix's relayhost syntax.
func ParseRelayHost(s string) (*localmta.RelayHost, error) {
	rh := &localmta.RelayHost{}
	host, port := s, ""
	if rest, ok := strings.CutPrefix(s, "["); ok {
		h, after, ok := strings.Cut(rest, "]")
		if !ok || (after != "" && !strings.HasPrefix(after, ":")) {
			return nil, fmt.Errorf("bad relay host %q", s)
		}
		host, port, rh.NoMX = h, strings.TrimPrefix(after, ":"), true
	} else if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	if host == "" || strings.ContainsAny(host, " \t[]") {
		return nil, fmt.Errorf("bad relay host %q", s)
	}
	rh.Host = host
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("bad relay host port %q", port)
		}
		rh.Port = n
	}
	return rh, nil
}

// setRelayOption applies one option line of the relayhost file.
func setRelayOption(rh *localmta.RelayHost, line string) error {
	key, value, _ := strings.Cut(line, " ")
	value = strings.TrimSpace(value)
	switch {
	case key == "username" && value != "":
		rh.Username = value
	case key == "password" && value != "":
		rh.Password = value
	case key == "require_tls" && value == "":
		rh.RequireTLS = true
	default:
		return fmt.Errorf("unknown relayhost option %q", key)
	}
	return nil
}

// readConfigLines calls fn with each line of a file, trimmed, skipping
// blank lines and '#' comments.
func readConfigLines(path string, fn func(line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return scanConfigLines(f, fn)
}

func scanConfigLines(r io.Reader, fn func(line string) error) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// LocalLogin is the login of the user running Facteur: the mailbox of the
// Local account.
func LocalLogin() string {
	name := os.Getenv("USER")
	if name == "" {
		name = os.Getenv("USERNAME")
	}
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return -1
	}, strings.ToLower(name))
	if name == "" {
		return "user"
	}
	return name
}

// LocalAddress is the Local account's address, LocalLogin()@localhost.
func LocalAddress() string { return LocalLogin() + "@localhost" }
