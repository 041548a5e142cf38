package inspect

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// receivedFixture is one Received field of testdata/received with the
// fields it must parse into.
type receivedFixture struct {
	file  string
	line  int
	field string
	want  map[string]string
}

// loadReceivedFixtures reads every testdata/received/*.txt (format in its
// README.md).
func loadReceivedFixtures(t testing.TB) []receivedFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "received", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []receivedFixture
	for _, f := range files {
		out = append(out, readFixtureFile(t, f)...)
	}
	return out
}

func readFixtureFile(t testing.TB, name string) []receivedFixture {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []receivedFixture
	var cur *receivedFixture
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "Received:"):
			out = append(out, receivedFixture{file: filepath.Base(name), line: n,
				field: strings.TrimPrefix(line, "Received:"), want: map[string]string{}})
			cur = &out[len(out)-1]
		case strings.HasPrefix(line, "> ") && cur != nil:
			k, v, _ := strings.Cut(line[2:], ":")
			cur.want[k] = strings.TrimSpace(v)
		case strings.TrimSpace(line) == "":
			cur = nil
		case cur != nil:
			cur.field += "\r\n" + line
		}
	}
	return out
}

// hopFields flattens a Hop into the keys of the fixtures.
func hopFields(h Hop) map[string]string {
	m := map[string]string{
		"from": h.From, "helo": h.HELO, "rdns": h.RDNS, "ident": h.Ident,
		"by": h.By, "software": h.Software, "via": h.Via, "with": h.With,
		"protocol": string(h.Protocol), "id": h.ID, "for": strings.Join(h.For, ","),
		"auth": h.Auth, "envelope_from": h.EnvelopeFrom,
		"helo_source": h.HELOSource, "protocol_raw": h.ProtocolRaw, "more": moreText(h.More),
		"authenticated": strconv.FormatBool(h.Authenticated),
		"unparsed":      strconv.FormatBool(h.Unparsed),
		"comments":      strings.Join(h.Comments, " | "),
		"extra":         strings.Join(h.Extra, " "),
		"port":          strconv.Itoa(int(h.Port)),
		"ip":            "", "by_ip": "", "date": "none",
	}
	if h.IP.IsValid() {
		m["ip"] = h.IP.String()
	}
	if h.ByIP.IsValid() {
		m["by_ip"] = h.ByIP.String()
	}
	if !h.Date.IsZero() {
		m["date"] = h.Date.Format(time.RFC3339)
	}
	var t TLS
	if h.TLS != nil {
		t = *h.TLS
	}
	m["tls.version"], m["tls.cipher"], m["tls.verify"], m["tls.note"] = t.Version, t.Cipher, t.Verify, t.Note
	m["tls.bits"] = strconv.Itoa(t.Bits)
	return m
}

func TestParseReceivedFixtures(t *testing.T) {
	fixtures := loadReceivedFixtures(t)
	if len(fixtures) < 60 {
		t.Errorf("only %d Received fixtures, want at least 60", len(fixtures))
	}
	for _, fx := range fixtures {
		t.Run(fx.file+":"+strconv.Itoa(fx.line), func(t *testing.T) {
			h := ParseReceived(fx.field)
			got := hopFields(h)
			for k, want := range fx.want {
				g, ok := got[k]
				if !ok {
					t.Fatalf("fixture key %q unknown", k)
				}
				if g != want {
					t.Errorf("%s = %q, want %q\n  raw: %s", k, g, want, h.Raw)
				}
			}
			if h.Raw == "" {
				t.Error("Raw is empty")
			}
		})
	}
}

// moreText writes the repeated clauses as "name value | name value".
func moreText(cs []Clause) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Name+" "+c.Value)
	}
	return strings.Join(parts, " | ")
}

// TestParenthesisedFromSpans: the with and via clauses of a from clause
// written in parentheses keep their place in the field, so that
// ProtocolRaw is their text (it was cut from the wrong offsets).
func TestParenthesisedFromSpans(t *testing.T) {
	const date = "; Tue, 5 Nov 2024 10:12:01 +0100"
	tests := []struct{ field, with, raw string }{
		{"(from alice@localhost via smtpd with local-esmtp) by host.example (8.12.11) id 1" + date, "local-esmtp", "local-esmtp"},
		{"(from x [192.0.2.7] with Microsoft SMTPSVC(6.0) ) by host.example id 1" + date, "Microsoft SMTPSVC", "Microsoft SMTPSVC(6.0)"},
		{"( \u00a0from x with ESMTP, LMTP) by host.example" + date, "ESMTP LMTP", "ESMTP, LMTP"},
	}
	for _, tt := range tests {
		h := ParseReceived(tt.field)
		if h.With != tt.with || h.ProtocolRaw != tt.raw {
			t.Errorf("%q: with %q, protocol_raw %q; want %q, %q", tt.field, h.With, h.ProtocolRaw, tt.with, tt.raw)
		}
	}
}
