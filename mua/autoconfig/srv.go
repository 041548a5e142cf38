package autoconfig

import (
	"context"
	"errors"
	"fmt"

	"facteur/internal/dnsmx"
	"facteur/mua/account"
)

// srvService is one service label of RFC 6186 §3 and RFC 8314 §5.1.
type srvService struct {
	label string // "imaps"
	proto string // IMAP
	sec   account.Security
}

// srvServices are asked in this order; rank then puts implicit TLS first.
var srvServices = []srvService{
	{"imaps", IMAP, account.SecurityTLS},
	{"imap", IMAP, account.SecurityStartTLS},
	{"pop3s", POP3, account.SecurityTLS},
	{"pop3", POP3, account.SecurityStartTLS},
	{"submissions", SMTP, account.SecurityTLS},
	{"submission", SMTP, account.SecurityStartTLS},
}

// srv reads the SRV records of the domain's mail services. dnsmx returns
// them by priority, then heaviest weight; a lone target "." (the service is
// not offered, RFC 6186 §3.4) is ErrNotFound there, and a "." among others
// is skipped here.
func (d *Discoverer) srv(ctx context.Context, domain, _ string) ([]Server, error) {
	var out []Server
	var errs []error
	for _, svc := range srvServices {
		recs, err := d.resolver().SRV(ctx, svc.label, "tcp", domain)
		if err != nil {
			if !errors.Is(err, dnsmx.ErrNotFound) {
				errs = append(errs, err)
			}
			continue
		}
		for _, r := range recs {
			if r.Target == "" || r.Target == "." || r.Port == 0 {
				continue
			}
			out = append(out, Server{
				Protocol: svc.proto, Source: SourceSRV,
				Origin: fmt.Sprintf("_%s._tcp.%s", svc.label, domain),
				Server: account.Server{Host: r.Target, Port: int(r.Port), Security: srvSecurity(svc, int(r.Port))},
			})
		}
	}
	if len(out) == 0 {
		errs = append(errs, errors.New("no SRV record"))
	}
	return out, errors.Join(errs...)
}

// srvSecurity reads a STARTTLS label that points at an implicit-TLS port
// (_submission on 465, seen in the wild) as implicit TLS.
func srvSecurity(svc srvService, port int) account.Security {
	if svc.sec == account.SecurityStartTLS && port == account.DefaultPort(svc.proto, account.SecurityTLS) {
		return account.SecurityTLS
	}
	return svc.sec
}
