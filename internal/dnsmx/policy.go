package dnsmx

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// STSRecord is a domain's MTA-STS TXT record (RFC 8461 §3.1), at
// "_mta-sts.DOMAIN": "v=STSv1; id=20160831085700Z;".
type STSRecord struct {
	ID  string `json:"id"`  // changes whenever the policy changes: 1 to 32 letters and digits
	Raw string `json:"raw"` // the record as published
}

// TLSRPTRecord is a domain's TLS reporting TXT record (RFC 8460 §3), at
// "_smtp._tls.DOMAIN": "v=TLSRPTv1; rua=mailto:tlsrpt@example.com".
type TLSRPTRecord struct {
	RUA []string `json:"rua"` // where reports go: mailto: and https: URIs
	Raw string   `json:"raw"`
}

// MTASTS returns the MTA-STS record of domain. Records that do not start
// with "v=STSv1" are ignored; none, or more than one, means the domain
// does not publish MTA-STS (RFC 8461 §3.1): ErrNotFound, or ErrInvalid
// for several records or one that breaks the syntax. Errors are *Error of
// Type "TXT".
func (r *Resolver) MTASTS(ctx context.Context, domain string) (STSRecord, error) {
	raw, name, err := r.policyTXT(ctx, "_mta-sts.", domain, "v=STSv1")
	if err != nil {
		return STSRecord{}, err
	}
	rec, err := ParseSTSRecord(raw)
	return rec, wrap(name, "TXT", err)
}

// TLSRPT returns the TLS-RPT record of domain; as MTASTS, for
// "v=TLSRPTv1" (RFC 8460 §3).
func (r *Resolver) TLSRPT(ctx context.Context, domain string) (TLSRPTRecord, error) {
	raw, name, err := r.policyTXT(ctx, "_smtp._tls.", domain, "v=TLSRPTv1")
	if err != nil {
		return TLSRPTRecord{}, err
	}
	rec, err := ParseTLSRPT(raw)
	return rec, wrap(name, "TXT", err)
}

// policyTXT returns the one TXT record at prefix+domain that starts with
// version.
func (r *Resolver) policyTXT(ctx context.Context, prefix, domain, version string) (string, string, error) {
	name := prefix + strings.TrimSuffix(strings.TrimSpace(domain), ".")
	txts, err := r.TXT(ctx, name)
	if err != nil {
		return "", name, err
	}
	var found []string
	for _, t := range txts {
		if hasVersion(t, version) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return "", name, wrap(name, "TXT", fmt.Errorf("%w: no %s record", ErrNotFound, version))
	case 1:
		return found[0], name, nil
	}
	return "", name, wrap(name, "TXT", fmt.Errorf("%w: %d %s records, one is allowed", ErrInvalid, len(found), version))
}

// hasVersion tells whether a record starts with its version tag, followed
// by the end, a space or ';'.
func hasVersion(s, version string) bool {
	rest, ok := strings.CutPrefix(s, version)
	return ok && (rest == "" || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t')
}

// errSyntax is the cause of ErrInvalid for a record that breaks its ABNF.
var errSyntax = errors.New("syntax error")

// ParseSTSRecord reads an MTA-STS TXT record (RFC 8461 §3.1):
// "v=STSv1" first, then "id=" (required, 1 to 32 letters and digits) and
// extension fields, separated by ';'. Its error wraps ErrInvalid.
func ParseSTSRecord(s string) (STSRecord, error) {
	fields, err := tagFields(s, "v=STSv1")
	if err != nil {
		return STSRecord{}, err
	}
	rec := STSRecord{Raw: s}
	for _, f := range fields {
		switch {
		case f.name == "id" && rec.ID != "":
			return STSRecord{}, invalid("id given twice")
		case f.name == "id" && (len(f.value) > 32 || !alnum(f.value)):
			return STSRecord{}, invalid("id %q is not 1 to 32 letters and digits", f.value)
		case f.name == "id":
			rec.ID = f.value
		case !extName(f.name) || !extValue(f.value):
			return STSRecord{}, invalid("bad extension field %q", f.name+"="+f.value)
		}
	}
	if rec.ID == "" {
		return STSRecord{}, invalid("no id")
	}
	return rec, nil
}

// ParseTLSRPT reads a TLS-RPT TXT record (RFC 8460 §3): "v=TLSRPTv1"
// first, then "rua=" (required: URIs separated by ',', each mailto: or
// https:) and extension fields. Its error wraps ErrInvalid.
func ParseTLSRPT(s string) (TLSRPTRecord, error) {
	fields, err := tagFields(s, "v=TLSRPTv1")
	if err != nil {
		return TLSRPTRecord{}, err
	}
	rec := TLSRPTRecord{Raw: s}
	for _, f := range fields {
		switch {
		case f.name == "rua" && rec.RUA != nil:
			return TLSRPTRecord{}, invalid("rua given twice")
		case f.name == "rua":
			if rec.RUA, err = ruaURIs(f.value); err != nil {
				return TLSRPTRecord{}, err
			}
		case !extName(f.name) || !extValue(f.value):
			return TLSRPTRecord{}, invalid("bad extension field %q", f.name+"="+f.value)
		}
	}
	if rec.RUA == nil {
		return TLSRPTRecord{}, invalid("no rua")
	}
	return rec, nil
}

// ruaURIs splits the rua value into its URIs, mailto: or https:.
func ruaURIs(v string) ([]string, error) {
	var out []string
	for u := range strings.SplitSeq(v, ",") {
		u = strings.Trim(u, " \t")
		scheme, rest, ok := strings.Cut(u, ":")
		scheme = strings.ToLower(scheme)
		if !ok || rest == "" || (scheme != "mailto" && scheme != "https") || strings.ContainsAny(u, " \t") {
			return nil, invalid("rua %q is not a mailto: or https: URI", u)
		}
		out = append(out, u)
	}
	return out, nil
}

// tagField is one "name=value" of a policy record.
type tagField struct{ name, value string }

// tagFields splits "VERSION; a=b; c=d;" into its fields after the version,
// as the ABNF of RFC 8461 §3.1 and RFC 8460 §3 (spaces around ';', one
// final ';' allowed; at least one field).
func tagFields(s, version string) ([]tagField, error) {
	if !hasVersion(s, version) {
		return nil, invalid("does not start with %s", version)
	}
	parts := strings.Split(s[len(version):], ";")
	if strings.Trim(parts[0], " \t") != "" {
		return nil, invalid("text after %s", version)
	}
	parts = parts[1:]
	if n := len(parts); n > 0 && strings.Trim(parts[n-1], " \t") == "" {
		parts = parts[:n-1]
	}
	if len(parts) == 0 {
		return nil, invalid("no field after %s", version)
	}
	out := make([]tagField, 0, len(parts))
	for _, p := range parts {
		name, value, ok := strings.Cut(strings.Trim(p, " \t"), "=")
		if !ok || name == "" || value == "" {
			return nil, invalid("field %q is not name=value", strings.TrimSpace(p))
		}
		out = append(out, tagField{name, value})
	}
	return out, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrInvalid, errSyntax}, args...)...)
}

// alnum tells 1*(ALPHA / DIGIT).
func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return s != ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// extName tells (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
func extName(s string) bool {
	if s == "" || len(s) > 32 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// extValue tells 1*(%x21-3A / %x3C / %x3E-7E): printable, no ';' nor '='.
func extValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return s != ""
}
