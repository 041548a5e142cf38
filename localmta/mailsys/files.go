package mailsys

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"facteur/localmta"
	"facteur/localmta/mda"
	"facteur/localmta/mtausers"
)

// LoadConfig builds the MTA's configuration from the settings and the
// optional files of the MTA directory (see FilesHelp).
func LoadConfig(dir string, opt Settings) (localmta.Config, error) {
	hostname := opt.Hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	cfg := localmta.Config{
		Dir:       dir,
		Hostname:  hostname,
		DNSServer: opt.DNS,
		Listeners: Listeners(opt.Addrs()),
	}
	if opt.Login != "" {
		cfg.LocalUsers = []string{strings.ToLower(opt.Login)}
	}
	var domains []string
	errs := []error{
		setNetOptions(&cfg, opt),
		setLimitOptions(&cfg, opt),
		setDeliver(&cfg, opt.Deliver),
		load(dir, "users", mtausers.Load, &cfg.Users),
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

// setNetOptions reads --relay-nets, --source-ip, --mx-port and
// --delay-warning.
func setNetOptions(cfg *localmta.Config, opt Settings) error {
	var errs []error
	if opt.RelayNets != "" {
		nets, err := parseRelayNets(opt.RelayNets)
		cfg.RelayNets = nets
		errs = append(errs, err)
	}
	if opt.SourceIP != "" {
		ip, err := netip.ParseAddr(opt.SourceIP)
		if err != nil || ip.Zone() != "" {
			errs = append(errs, fmt.Errorf("mta: --source-ip %q is not an IP address", opt.SourceIP))
		}
		cfg.SourceIP = ip.Unmap()
	}
	if opt.DelayWarning != "" {
		d, err := time.ParseDuration(opt.DelayWarning)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("mta: --delay-warning %q is not a duration such as 4h", opt.DelayWarning))
		}
		cfg.Queue.DelayWarning = d
	}
	if opt.MXPort != "" {
		n, err := strconv.Atoi(opt.MXPort)
		if err != nil || n <= 0 || n > 65535 {
			errs = append(errs, fmt.Errorf("mta: --mx-port %q is not a port number", opt.MXPort))
		}
		cfg.MXPort = n
	}
	return errors.Join(errs...)
}

// setLimitOptions reads --max-connections and --max-client-connections:
// a positive number, or "none" for no limit.
func setLimitOptions(cfg *localmta.Config, opt Settings) error {
	var errs []error
	for _, o := range []struct {
		name, value string
		dst         *int
	}{{"max-connections", opt.MaxConns, &cfg.MaxConnections}, {"max-client-connections", opt.MaxClientConns, &cfg.MaxClientConnections}} {
		switch n, err := strconv.Atoi(o.value); {
		case o.value == "":
		case o.value == "none":
			*o.dst = -1
		case err != nil || n <= 0:
			errs = append(errs, fmt.Errorf("mta: --%s %q is not a positive number or none", o.name, o.value))
		default:
			*o.dst = n
		}
	}
	return errors.Join(errs...)
}

// parseRelayNets reads "CIDR,..." (Postfix's mynetworks: commas or spaces);
// a bare address is a network of one host. "none" allows no network.
func parseRelayNets(s string) ([]netip.Prefix, error) {
	nets := []netip.Prefix{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if f == "none" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("mta: --relay-nets: %q is not a network (CIDR) or an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		nets = append(nets, p.Masked())
	}
	return nets, nil
}

// setDeliver chooses the MDA: the Local account's Maildir (the default,
// Config.Store) or the mbox spool files mta/mail/<login>.
func setDeliver(cfg *localmta.Config, deliver string) error {
	switch strings.ToLower(deliver) {
	case "", "maildir":
		return nil
	case "mbox":
		cfg.MDA = &mda.Mbox{Dir: filepath.Join(cfg.Dir, "mail")}
		return nil
	}
	return fmt.Errorf("mta: --deliver %q: maildir or mbox", deliver)
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
