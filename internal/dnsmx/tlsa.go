package dnsmx

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// TLSA is one TLSA record (RFC 6698 §2.1).
type TLSA struct {
	Usage        uint8  `json:"usage"`         // 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218)
	Selector     uint8  `json:"selector"`      // 0 the whole certificate, 1 its SubjectPublicKeyInfo
	MatchingType uint8  `json:"matching_type"` // 0 exact, 1 SHA-256, 2 SHA-512
	Data         []byte `json:"-"`             // the association data
	Hex          string `json:"data"`          // Data in lower-case hexadecimal
}

// TLSA usages of RFC 6698 §2.1.1 (names of RFC 7218).
const (
	PKIXTA uint8 = 0
	PKIXEE uint8 = 1
	DANETA uint8 = 2
	DANEEE uint8 = 3
)

// String writes the record as "3 1 1 ab12...", with RFC 7218's name.
func (t TLSA) String() string {
	return strconv.Itoa(int(t.Usage)) + " " + strconv.Itoa(int(t.Selector)) + " " + strconv.Itoa(int(t.MatchingType)) + " " + t.Hex
}

// UsageName is RFC 7218's name of the usage: "DANE-EE", "DANE-TA"...
func (t TLSA) UsageName() string {
	switch t.Usage {
	case PKIXTA:
		return "PKIX-TA"
	case PKIXEE:
		return "PKIX-EE"
	case DANETA:
		return "DANE-TA"
	case DANEEE:
		return "DANE-EE"
	}
	return "usage " + strconv.Itoa(int(t.Usage))
}

// Usable tells whether SMTP uses the record: DANE-TA(2) or DANE-EE(3),
// with a selector and a matching type that RFC 6698 defines (RFC 7672
// §3.1.3: PKIX-TA and PKIX-EE are not used for SMTP).
func (t TLSA) Usable() bool {
	return (t.Usage == DANETA || t.Usage == DANEEE) && t.Selector <= 1 && t.MatchingType <= 2 && len(t.Data) > 0
}

// TLSAResult is the TLSA RRset of one SMTP server.
type TLSAResult struct {
	Name    string // "_25._tcp.mx.example.org", without the final dot
	Records []TLSA // in the server's order
	DNSSEC  DNSSEC
}

// Usable returns the records SMTP uses (see TLSA.Usable).
func (t TLSAResult) Usable() []TLSA {
	var out []TLSA
	for _, r := range t.Records {
		if r.Usable() {
			out = append(out, r)
		}
	}
	return out
}

// TLSA returns the TLSA records of an SMTP server, at
// "_PORT._tcp.HOST" (RFC 6698 §3, RFC 7672 §2.2.3; CNAMEs followed), with
// what the resolver said of their authenticity: DANE uses them only when
// DNSSEC.Secure (RFC 7672 §2.2). Records whose data is not hexadecimal
// are left out. Errors are *Error of Type "TLSA": ErrNotFound when there
// is none (NODATA or NXDOMAIN: no DANE), ErrTemporary when the resolver
// failed (a DANE client defers, RFC 7672 §2.1.1).
func (r *Resolver) TLSA(ctx context.Context, host string, port int) (TLSAResult, error) {
	name := "_" + strconv.Itoa(port) + "._tcp." + strings.TrimSuffix(strings.TrimSpace(host), ".")
	q, err := txtName(name)
	if err != nil {
		return TLSAResult{Name: name}, wrap(name, "TLSA", err)
	}
	res := TLSAResult{Name: trimDot(q)}
	rrs, ad, err := r.lookupAD(ctx, q, dns.TypeTLSA)
	res.DNSSEC = r.dnssec(ad)
	if err != nil {
		return res, wrap(q, "TLSA", err)
	}
	for _, rr := range rrs {
		t, ok := rr.(*dns.TLSA)
		if !ok {
			continue
		}
		data, err := hex.DecodeString(t.Certificate)
		if err != nil {
			continue
		}
		res.Records = append(res.Records, TLSA{Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Data: data, Hex: hex.EncodeToString(data)})
	}
	return res, nil
}
