package dnsmx

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"facteur/internal/dnsmx/dnstest"
)

func TestTXT(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	const key = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	tests := []struct {
		name string
		want []string
	}{
		// One string per record, its character-strings joined without
		// separator (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
		{"machin.com", []string{"v=spf1 ip4:127.0.0.3 ip4:127.0.0.4 -all", "course=itineraire"}},
		{"MACHIN.com.", []string{"v=spf1 ip4:127.0.0.3 ip4:127.0.0.4 -all", "course=itineraire"}},
		{"sel._domainkey.machin.com", []string{key}},
		{"txtalias.example", []string{key}},
		{"empty.machin.com", []string{""}},
		{"nomail.example", []string{"no mail here"}},
		{"sel._domainkey.bücher.example", []string{"v=DKIM1; p="}},
		// 1500 bytes: truncated over UDP, asked again over TCP.
		{"key._domainkey.big.example", []string{strings.Repeat("k", 1500)}},
	}
	for _, tt := range tests {
		got, err := r.TXT(context.Background(), tt.name)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("TXT(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if u, c := z.count("key._domainkey.big.example", dns.TypeTXT, "udp"), z.count("key._domainkey.big.example", dns.TypeTXT, "tcp"); u != 1 || c != 1 {
		t.Errorf("big TXT asked %d times over UDP, %d over TCP; want 1 and 1", u, c)
	}
}

func TestTXTErrors(t *testing.T) {
	z := newTestZone(t)
	r := New(Config{Server: z.addr, Timeout: 300 * time.Millisecond})
	tests := []struct {
		name   string
		kind   error
		noData bool
		errAt  string // Error.Name
	}{
		{"nowhere.example", ErrNotFound, false, "nowhere.example"},
		{"smtp.machin.com", ErrNotFound, true, "smtp.machin.com"},
		{"_dmarc.nowhere.example", ErrNotFound, false, "_dmarc.nowhere.example"},
		{"servfail.example", ErrTemporary, false, "servfail.example"},
		{"drop.example", ErrTemporary, false, "drop.example"},
		{"bad..name", ErrNotFound, false, "bad..name"},
		{"", ErrNotFound, false, ""},
	}
	for _, tt := range tests {
		got, err := r.TXT(context.Background(), tt.name)
		var e *Error
		if got != nil || !errors.As(err, &e) || !errors.Is(err, tt.kind) || e.NoData != tt.noData || e.Type != "TXT" || e.Name != tt.errAt {
			t.Errorf("TXT(%q) = %q, %#v (%v); want %v NoData=%v", tt.name, got, err, err, tt.kind, tt.noData)
		}
		for _, other := range []error{ErrNotFound, ErrTemporary, ErrOffline} {
			if other != tt.kind && errors.Is(err, other) {
				t.Errorf("TXT(%q) error %v is also %v", tt.name, err, other)
			}
		}
	}
	if _, err := r.TXT(context.Background(), "nowhere.example"); err.Error() != "dnsmx: TXT nowhere.example: not found: no such domain (NXDOMAIN)" {
		t.Errorf("message %q", err)
	}
}

// TestTXTCache checks that TXT answers, positive and negative, are cached
// like the others and that concurrent callers share one query.
func TestTXTCache(t *testing.T) {
	z := newTestZone(t)
	r := newResolver(t, z)
	ctx := context.Background()
	for range 3 {
		_, _ = r.TXT(ctx, "machin.com")
		_, _ = r.TXT(ctx, "nowhere.example")
	}
	if n := z.count("machin.com", dns.TypeTXT, ""); n != 1 {
		t.Errorf("machin.com TXT asked %d times, want 1", n)
	}
	if n := z.count("nowhere.example", dns.TypeTXT, ""); n != 1 {
		t.Errorf("NXDOMAIN TXT asked %d times, want 1", n)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if got, err := r.TXT(ctx, "slow.example"); err != nil || !slices.Equal(got, []string{"slow"}) {
				t.Errorf("TXT(slow.example) = %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	if n := z.count("slow.example", dns.TypeTXT, ""); n != 1 {
		t.Errorf("slow.example TXT asked %d times by 10 callers, want 1", n)
	}
}

func TestTXTOfflineAndCanceled(t *testing.T) {
	r := New(Config{Server: closedUDP(t), Timeout: time.Second})
	if _, err := r.TXT(context.Background(), "machin.com"); !errors.Is(err, ErrOffline) || errors.Is(err, ErrTemporary) {
		t.Errorf("TXT against a closed port: %v, want ErrOffline", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.TXT(ctx, "machin.com"); !errors.Is(err, ErrTemporary) || !errors.Is(err, context.Canceled) {
		t.Errorf("TXT with a cancelled context: %v", err)
	}
}

// closedUDP returns a loopback UDP address where nothing listens.
func closedUDP(t *testing.T) string { return dnstest.ClosedPort(t) }
