package main

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
)

// loadMTAConfig builds the MTA's configuration from the command-line
// options and the optional files of the MTA directory (see mtaFilesHelp).
func loadMTAConfig(dir string, opt mtaOptions) (localmta.Config, error) {
	hostname := opt.hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	cfg := localmta.Config{
		Dir:        dir,
		Hostname:   hostname,
		DNSServer:  opt.dns,
		Listeners:  mtaListeners(opt),
		LocalUsers: []string{localLogin()},
	}
	var domains []string
	errs := []error{
		load(dir, "users", localmta.LoadUsers, &cfg.Users),
		load(dir, "aliases", localmta.LoadAliases, &cfg.Aliases),
		load(dir, "transport", localmta.LoadTransportTable, &cfg.Transports),
		load(dir, "relayhost", loadRelayHost, &cfg.RelayHost),
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

func mtaListeners(opt mtaOptions) []localmta.Listener {
	ls := []localmta.Listener{{Addr: opt.smtp}}
	if opt.submission != "" && opt.submission != "off" {
		ls = append(ls, localmta.Listener{Addr: opt.submission, Submission: true})
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

// loadRelayHost reads the relayhost file: "[host]:port" or "host[:port]"
// on the first line, then "username NAME", "password SECRET" and
// "require_tls" lines.
func loadRelayHost(path string) (*localmta.RelayHost, error) {
	var rh *localmta.RelayHost
	err := readConfigLines(path, func(line string) error {
		if rh == nil {
			var err error
			rh, err = parseRelayHost(line)
			return err
		}
		return setRelayOption(rh, line)
	})
	if err == nil && rh == nil {
		err = errors.New("no relay host")
	}
	return rh, err
}

// parseRelayHost reads Postfix's relayhost syntax.
func parseRelayHost(s string) (*localmta.RelayHost, error) {
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
