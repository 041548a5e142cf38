package mtasts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Mode is a policy's mode (RFC 8461 §5).
type Mode string

// The modes of RFC 8461 §5.
const (
	ModeEnforce Mode = "enforce" // deliver only to matching MX hosts over verified TLS
	ModeTesting Mode = "testing" // deliver anyway, report failures
	ModeNone    Mode = "none"    // the domain withdrew its policy
)

// MaxAgeLimit is the longest max_age (RFC 8461 §3.2: about a year).
const MaxAgeLimit = 31557600 * time.Second

// Policy is a parsed MTA-STS policy (RFC 8461 §3.2).
type Policy struct {
	Version string        `json:"version"` // "STSv1"
	Mode    Mode          `json:"mode"`
	MX      []string      `json:"mx,omitempty"` // patterns: "mx.example.com", "*.example.net"
	MaxAge  time.Duration `json:"-"`            // capped at MaxAgeLimit
	// MaxAgeSeconds is MaxAge for JSON.
	MaxAgeSeconds int64 `json:"max_age"`
}

// ErrSyntax is wrapped by the errors of ParsePolicy.
var ErrSyntax = errors.New("mtasts: policy syntax error")

// ParsePolicy reads a policy body: "key: value" lines ended by LF or
// CRLF (RFC 8461 §3.2 and its erratum 6253). version (STSv1), mode and
// max_age are required and given once; mx is required, once or more,
// unless the mode is none; unknown keys are ignored (§3.2).
func ParsePolicy(body []byte) (Policy, error) {
	var p Policy
	seen := map[string]bool{}
	for n, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		key, value, ok := strings.Cut(line, ":")
		value = strings.Trim(value, " \t")
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return Policy{}, syntax(n, "not a \"key: value\" line")
		}
		if key != "mx" && seen[key] {
			return Policy{}, syntax(n, "%s given twice", key)
		}
		seen[key] = true
		if err := p.set(key, value); err != nil {
			return Policy{}, syntax(n, "%v", err)
		}
	}
	return p, p.check(seen)
}

// set reads one field.
func (p *Policy) set(key, value string) error {
	switch key {
	case "version":
		if value != "STSv1" {
			return fmt.Errorf("version %q is not STSv1", value)
		}
		p.Version = value
	case "mode":
		switch m := Mode(value); m {
		case ModeEnforce, ModeTesting, ModeNone:
			p.Mode = m
		default:
			return fmt.Errorf("mode %q is not enforce, testing or none", value)
		}
	case "max_age":
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil || len(value) > 10 {
			return fmt.Errorf("max_age %q is not a number of seconds", value)
		}
		p.MaxAge = min(time.Duration(min(n, uint64(MaxAgeLimit/time.Second)))*time.Second, MaxAgeLimit)
		p.MaxAgeSeconds = int64(p.MaxAge / time.Second)
	case "mx":
		pat := strings.ToLower(strings.TrimSuffix(value, "."))
		if !validPattern(pat) {
			return fmt.Errorf("mx %q is not a host name or *.domain", value)
		}
		p.MX = append(p.MX, pat)
	}
	return nil
}

// check tells the required fields that are missing.
func (p *Policy) check(seen map[string]bool) error {
	for _, k := range []string{"version", "mode", "max_age"} {
		if !seen[k] {
			return fmt.Errorf("%w: no %s", ErrSyntax, k)
		}
	}
	if len(p.MX) == 0 && p.Mode != ModeNone {
		return fmt.Errorf("%w: no mx in mode %s", ErrSyntax, p.Mode)
	}
	return nil
}

func syntax(n int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: "+format, append([]any{ErrSyntax, n + 1}, args...)...)
}

// validPattern tells ["*."] Domain (RFC 8461 §3.2), in lower case.
func validPattern(p string) bool {
	d := strings.TrimPrefix(p, "*.")
	if d == "" || strings.ContainsAny(d, "* \t") || strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	_, ok := dns.IsDomainName(d)
	return ok
}

// Match tells whether an MX host matches one of the policy's patterns
// (RFC 8461 §4.1): equal, case aside, or "*.domain" standing for exactly
// one leftmost label.
func (p Policy) Match(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pat := range p.MX {
		if MatchPattern(pat, h) {
			return true
		}
	}
	return false
}

// MatchPattern tells whether host matches one mx pattern (RFC 8461 §4.1).
func MatchPattern(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		label, parent, found := strings.Cut(host, ".")
		return found && label != "" && parent == rest
	}
	return host == pattern && host != ""
}

// Enforced tells whether the policy binds deliveries.
func (p *Policy) Enforced() bool { return p != nil && p.Mode == ModeEnforce }
