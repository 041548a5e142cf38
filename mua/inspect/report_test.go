package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

func analyzeFile(t testing.TB, name string, opt Options) *Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(bytes.NewReader(b), opt)
	if err != nil {
		t.Fatalf("Analyze(%s): %v", name, err)
	}
	return r
}

// TestCourseExample checks the route of the course's slide "Exemple".
func TestCourseExample(t *testing.T) {
	r := analyzeFile(t, "course-example.eml", Options{})
	want := []struct {
		helo, ip, by, at string
		delay            time.Duration // 0: none
		role             Role
	}{
		{"CHRIS", "62.161.101.240", "mahonia.w-n-doo.fr", "18:19:51", 0, RoleSubmission},
		{"mahonia.w-n-doo.fr", "193.252.19.58", "alisier.w-n-doo.fr", "18:20:08", 17 * time.Second, RoleRelay},
		{"alisier.w-n-doo.fr", "193.252.19.55", "mail.monaco.net", "18:20:10", 2 * time.Second, RoleDelivery},
	}
	hops := r.Route.Hops
	if len(hops) != len(want) {
		t.Fatalf("%d hops, want %d", len(hops), len(want))
	}
	for i, w := range want {
		h := hops[i]
		if h.Index != i+1 || h.HELO != w.helo || h.IP.String() != w.ip || h.By != w.by || h.Date.Format("15:04:05") != w.at || h.Role != w.role {
			t.Errorf("hop %d = %d %s %s %s %s %s, want %+v", i+1, h.Index, h.HELO, h.IP, h.By, h.Date.Format("15:04:05"), h.Role, w)
		}
		switch {
		case w.delay == 0 && h.Delay != nil:
			t.Errorf("hop %d has a delay %v", i+1, h.Delay)
		case w.delay != 0 && (h.Delay == nil || h.Delay.Duration() != w.delay):
			t.Errorf("hop %d delay = %v, want %v", i+1, h.Delay, w.delay)
		}
	}
	last := hops[2]
	if last.With != "ESMTP" || last.ID != "SAA07439" || !slices.Equal(last.For, []string{"eme13@enprovence.com"}) || last.RDNS != "smtp-rt-9.w-n-doo.fr" {
		t.Errorf("last hop = with %q id %q for %v rdns %q", last.With, last.ID, last.For, last.RDNS)
	}
	if r.Route.Outbox == nil || r.Route.Outbox.Duration() != 27*time.Second {
		t.Errorf("outbox = %v, want 27 s", r.Route.Outbox)
	}
	if r.Route.Transit == nil || r.Route.Transit.Duration() != 46*time.Second {
		t.Errorf("transit = %v, want 46 s", r.Route.Transit)
	}
	e := r.Envelope
	if e.MailFrom != "christian.caleca@wanadoo.fr" || e.MailFromSource != SourceReturnPath || e.Exact {
		t.Errorf("MAIL FROM = %q from %q exact %v", e.MailFrom, e.MailFromSource, e.Exact)
	}
	if !slices.Equal(e.RcptTo, []string{"eme13@enprovence.com"}) || e.RcptToSource != SourceReceivedFor {
		t.Errorf("RCPT TO = %v from %q", e.RcptTo, e.RcptToSource)
	}
	f := findKind(r.Findings, FindEnvelopeSender)
	if f == nil || !slices.Equal(f.Addrs, []string{"christian.caleca@wanadoo.fr", "christian.caleca@w-n-doo.fr"}) {
		t.Errorf("envelope-sender finding = %+v; all: %+v", f, r.Findings)
	}
	if len(r.Findings) != 1 {
		t.Errorf("findings = %+v, want only the envelope sender", r.Findings)
	}
}

func findKind(list []Finding, k FindingKind) *Finding {
	for i := range list {
		if list[i].Kind == k {
			return &list[i]
		}
	}
	return nil
}

func kinds(list []Finding) []FindingKind {
	var out []FindingKind
	for _, f := range list {
		out = append(out, f.Kind)
	}
	return out
}

// TestGoldenText compares the text report of the course example with
// testdata/course.golden (go test -update rewrites it).
func TestGoldenText(t *testing.T) {
	r := analyzeFile(t, "course-example.eml", Options{})
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "course.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("text report differs from %s (go test -update to accept):\n%s", golden, b.String())
	}
	for _, s := range []string{"+17 s", "+2 s", "+27 s", "46 s in all", "SAA07439", "christian.caleca@wanadoo.fr"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text report lacks %q", s)
		}
	}
}

type errWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *errWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errWrite
	}
	return len(p), nil
}

func TestWriteTextError(t *testing.T) {
	r := analyzeFile(t, "course-example.eml", Options{})
	if err := r.WriteText(&errWriter{n: 100}); !errors.Is(err, errWrite) {
		t.Errorf("WriteText error = %v, want %v", err, errWrite)
	}
}

type errReader struct{}

var errRead = errors.New("read failed")

func (errReader) Read([]byte) (int, error) { return 0, errRead }

func TestAnalyzeErrors(t *testing.T) {
	if _, err := Analyze(strings.NewReader(""), Options{}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("empty input: %v, want ErrNoHeader", err)
	}
	if _, err := Analyze(strings.NewReader("\r\nbody only\r\n"), Options{}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("body only: %v, want ErrNoHeader", err)
	}
	if _, err := Analyze(errReader{}, Options{}); !errors.Is(err, errRead) {
		t.Errorf("reader error: %v, want %v", err, errRead)
	}
	r, err := Analyze(strings.NewReader("Subject: x\n"), Options{})
	if err != nil || findKind(r.Findings, FindNoReceived) == nil {
		t.Errorf("no Received: %v %+v", err, r)
	}
}

// TestJSONSchema checks the documented JSON keys of a hop.
func TestJSONSchema(t *testing.T) {
	r := analyzeFile(t, "course-example.eml", Options{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Route struct {
			Hops    []map[string]any `json:"hops"`
			Outbox  float64          `json:"outbox"`
			Transit float64          `json:"transit"`
		} `json:"route"`
		DNS struct {
			State string `json:"state"`
		} `json:"dns"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	h := doc.Route.Hops[2]
	for k, want := range map[string]any{
		"from": "alisier.w-n-doo.fr", "helo": "alisier.w-n-doo.fr", "rdns": "smtp-rt-9.w-n-doo.fr",
		"ip": "193.252.19.55", "by": "mail.monaco.net", "with": "ESMTP", "id": "SAA07439",
		"date": "2000-05-11T18:20:10+02:00", "delay": 2.0, "role": "delivery", "index": 3.0,
	} {
		if h[k] != want {
			t.Errorf("hop 3 %q = %v (%T), want %v", k, h[k], h[k], want)
		}
	}
	if f, ok := h["for"].([]any); !ok || len(f) != 1 || f[0] != "eme13@enprovence.com" {
		t.Errorf("hop 3 for = %v", h["for"])
	}
	if _, ok := doc.Route.Hops[0]["delay"]; ok {
		t.Error("hop 1 has a delay key")
	}
	if doc.Route.Outbox != 27 || doc.Route.Transit != 46 || doc.DNS.State != "not-run" {
		t.Errorf("outbox %v transit %v dns %q", doc.Route.Outbox, doc.Route.Transit, doc.DNS.State)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Errorf("the JSON does not read back into a Report: %v", err)
	}
}

func TestWriteJSON(t *testing.T) {
	r := analyzeFile(t, "course-example.eml", Options{})
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "envelope", "route", "headers", "authentication", "dns", "findings"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q key", k)
		}
	}
	if doc["schema"] != float64(SchemaVersion) {
		t.Errorf("schema = %v", doc["schema"])
	}
	if !strings.Contains(b.String(), "<eme13@enprovence.com>") {
		t.Error("angle brackets are escaped")
	}
	r = analyzeFile(t, "messages/exchange.eml", Options{})
	b.Reset()
	_ = r.WriteJSON(&b)
	if !strings.Contains(b.String(), `"rcpt_to": []`) || !strings.Contains(b.String(), `"findings": []`) {
		t.Errorf("empty lists are not [] :\n%.400s", b.String())
	}
}

// TestHopJSON checks the keys of issue 17 in a hop's JSON: helo and its
// source, authenticated and auth, envelope_from, the tls object,
// protocol_raw and more.
func TestHopJSON(t *testing.T) {
	tests := []struct {
		field string
		want  map[string]any
	}{
		{"from [192.0.2.7] (account alice@example.edu HELO pc.example.edu) by mx.example.net" +
			" (CommuniGate Pro SMTP 5.2.3) with ESMTPSA id 88402416; Mon, 04 Dec 2006 13:15:07 -0800",
			map[string]any{"helo": "pc.example.edu", "helo_source": "comment", "authenticated": true,
				"auth": "alice@example.edu", "protocol": "ESMTPSA", "protocol_raw": "ESMTPSA", "ip": "192.0.2.7"}},
		{"from mail.example.org ([192.0.2.7]) by mx.example.net with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384" +
			" (Exim 4.96) (envelope-from <a@example.org>) id 1abcDE-000001-AB; Mon, 21 Sep 2026 10:00:00 +0000",
			map[string]any{"helo": "mail.example.org", "helo_source": "from", "rdns": "mail.example.org",
				"envelope_from": "a@example.org", "tls": map[string]any{"version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384"}}},
		{"from 0 ([192.0.2.7]) by mx.example.net with Microsoft SMTPSVC(6.0.3790.0); Thu, 23 Sep 2004 08:51:06 -0700",
			map[string]any{"with": "Microsoft SMTPSVC", "protocol": "SMTP", "protocol_raw": "Microsoft SMTPSVC(6.0.3790.0)"}},
		{"from a.example (a.example [203.0.113.5]) by relay.example.net with ESMTP with STARTTLS id x; Tue, 05 Nov 2024 04:12:01 -0500",
			map[string]any{"more": []any{map[string]any{"name": "with", "value": "STARTTLS"}}, "tls": map[string]any{}}},
	}
	for _, tt := range tests {
		b, err := json.Marshal(ParseReceived(tt.field))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for k, want := range tt.want {
			if !reflect.DeepEqual(got[k], want) {
				t.Errorf("%s: %q = %#v, want %#v", tt.field, k, got[k], want)
			}
		}
	}
}

// lyingLen is a reader whose Len says something else than what it holds.
type lyingLen struct {
	io.Reader
	n int
}

func (l lyingLen) Len() int { return l.n }

// errAfter returns its data, then err.
type errAfter struct {
	data string
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if e.data == "" {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func (e *errAfter) Len() int { return len(e.data) }

// TestReadAll: the sized read gives what io.ReadAll gives, whatever the
// reader says of its length, and stops at max.
func TestReadAll(t *testing.T) {
	long := strings.Repeat("Received: x\r\n", 1000)
	boom := errors.New("boom")
	tests := []struct {
		name string
		r    io.Reader
		max  int64
		want string
		err  error
	}{
		{"bytes.Reader", bytes.NewReader([]byte(long)), 1 << 20, long, nil},
		{"strings.Reader", strings.NewReader(long), 1 << 20, long, nil},
		{"bytes.Buffer", bytes.NewBufferString(long), 1 << 20, long, nil},
		{"no Len", io.MultiReader(strings.NewReader(long)), 1 << 20, long, nil},
		{"empty", strings.NewReader(""), 1 << 20, "", nil},
		{"Len too small", lyingLen{strings.NewReader(long), 10}, 1 << 20, long, nil},
		{"Len zero", lyingLen{strings.NewReader(long), 0}, 1 << 20, long, nil},
		{"Len too large", lyingLen{strings.NewReader("abc"), 1 << 30}, 1 << 20, "abc", nil},
		{"max", strings.NewReader(long), 100, long[:100], nil},
		{"max, Len too small", lyingLen{strings.NewReader(long), 10}, 100, long[:100], nil},
		{"error", &errAfter{long, boom}, 1 << 20, long, boom},
	}
	for _, tt := range tests {
		got, err := readAll(tt.r, tt.max)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("%s: %d bytes, %v; want %d bytes, %v", tt.name, len(got), err, len(tt.want), tt.err)
		}
	}
}
