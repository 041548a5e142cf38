package dnsmx

import (
	"context"
	"fmt"
	"strings"

	"facteur/internal/ascii"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// TXT returns the TXT records of name (RFC 1035 §3.3.14), one string per
// record in the server's order: the record's character-strings joined
// without separator, as SPF (RFC 7208 §3.3) and DKIM key records (RFC 6376
// §3.6.2.2) are read. Names may hold the underscore labels of those
// protocols ("sel._domainkey.example.org"). Errors are *Error of Type
// "TXT": ErrNotFound for a name that does not exist, or with NoData set,
// one that has no TXT record.
func (r *Resolver) TXT(ctx context.Context, name string) ([]string, error) {
	q, err := txtName(name)
	if err != nil {
		return nil, wrap(name, "TXT", err)
	}
	rrs, err := r.lookup(ctx, q, dns.TypeTXT)
	if err != nil {
		return nil, wrap(q, "TXT", err)
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out, nil
}

// txtName is fqdn for names whose underscore labels IDNA would refuse
// (STD3 rules): only the non-ASCII labels go through IDNA (RFC 5891).
func txtName(name string) (string, error) {
	n := strings.TrimSuffix(strings.TrimSpace(name), ".")
	if ascii.Is(n) {
		return fqdn(n)
	}
	labels := strings.Split(n, ".")
	for i, l := range labels {
		if ascii.Is(l) {
			continue
		}
		a, err := idna.Lookup.ToASCII(l)
		if err != nil {
			return "", fmt.Errorf("%w: invalid domain name: %w", ErrNotFound, err)
		}
		labels[i] = a
	}
	return fqdn(strings.Join(labels, "."))
}
