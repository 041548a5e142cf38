package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"facteur/mailstore"
	"facteur/mua/inspect"
)

// courseExample is the course's example message: three Received hops, 2 s
// and 17 s between them, 27 s in the sender's outbox.
const courseExample = "mua/demo/messages/inbox-01-course-example.eml"

// checkCourseRoute checks the text report of the course's example: the
// three hops in travel order with their delays, and the outbox time.
func checkCourseRoute(t *testing.T, out string) {
	t.Helper()
	if !strings.Contains(out, "Route: 3 hop(s) in travel order, 27 s in the sender's outbox") {
		t.Errorf("no route summary with the 27 s outbox:\n%s", out)
	}
	rows := map[string][]string{
		"  1  ": {"+27 s", "submission", "CHRIS", "mahonia.w-n-doo.fr"},
		"  2  ": {"+17 s", "relay", "mahonia.w-n-doo.fr", "alisier.w-n-doo.fr"},
		"  3  ": {"+2 s", "delivery", "alisier.w-n-doo.fr", "mail.monaco.net"},
	}
	for prefix, cells := range rows {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(line, prefix+"2000-05-11") {
				continue
			}
			found = true
			for _, c := range cells {
				if !strings.Contains(line, c) {
					t.Errorf("hop row %q lacks %q", line, c)
				}
			}
		}
		if !found {
			t.Errorf("no hop row %q:\n%s", prefix, out)
		}
	}
}

func TestInspectFileNoDNS(t *testing.T) {
	code, out, errOut := facteur(t, t.TempDir(), "inspect", "--no-dns", courseExample)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	checkCourseRoute(t, out)
	if strings.Contains(out, "DNS look-ups") {
		t.Errorf("--no-dns asked DNS:\n%s", out)
	}
}

// TestInspectIndexID imports the course's example, finds its id with
// search --json and inspects it by id.
func TestInspectIndexID(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := facteur(t, dir, "import", courseExample); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	code, out, _ := facteur(t, dir, "search", "--json", "subject:itineraire")
	var hits []jsonHit
	if code != 0 || json.Unmarshal([]byte(out), &hits) != nil || len(hits) != 1 {
		t.Fatalf("search: code %d, out %q", code, out)
	}
	code, out, errOut := facteur(t, dir, "inspect", "--no-dns", strconv.FormatInt(hits[0].ID, 10))
	if code != 0 {
		t.Fatalf("inspect by id: code %d: %s", code, errOut)
	}
	checkCourseRoute(t, out)
}

// TestInspectExactEnvelope stores a message with the envelope an MTA
// recorded: inspect by id reports it as exact.
func TestInspectExactEnvelope(t *testing.T) {
	dir := t.TempDir()
	s := profileStore(t, dir)
	raw, err := os.ReadFile(courseExample)
	if err != nil {
		t.Fatal(err)
	}
	inbox := mailstore.FolderRef{Account: "Local", Name: "INBOX"}
	env := &mailstore.Envelope{MailFrom: "christian.caleca@wanadoo.fr", RcptTo: []string{"eme13@enprovence.com", "hidden@enprovence.com"}}
	sum, err := s.Add(context.Background(), inbox, bytes.NewReader(raw), mailstore.AddOptions{Envelope: env})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := facteur(t, dir, "inspect", "--json", "--no-dns", strconv.FormatInt(sum.ID, 10))
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	var r inspect.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	e := r.Envelope
	if !e.Exact || e.MailFrom != env.MailFrom || strings.Join(e.RcptTo, ",") != strings.Join(env.RcptTo, ",") || e.RcptToSource != inspect.SourceKnown {
		t.Errorf("envelope %+v, want the mailstore's %+v", e, *env)
	}
}

func TestInspectJSON(t *testing.T) {
	code, out, errOut := facteur(t, t.TempDir(), "inspect", "--json", "--no-dns", courseExample)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	var r inspect.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if r.Schema != inspect.SchemaVersion || len(r.Route.Hops) != 3 || r.Route.Outbox == nil || r.Route.Outbox.Duration() != 27*time.Second {
		t.Errorf("decoded report: schema %d, %d hops, outbox %v", r.Schema, len(r.Route.Hops), r.Route.Outbox)
	}
	if r.DNS.State != inspect.DNSNotRun {
		t.Errorf("DNS state %s with --no-dns", r.DNS.State)
	}
}

// TestInspectStdin reads the message from standard input.
func TestInspectStdin(t *testing.T) {
	raw, err := os.ReadFile(courseExample)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--profile", t.TempDir(), "inspect", "--no-dns", "-"}, bytes.NewReader(raw), &out, &errOut)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut.String())
	}
	checkCourseRoute(t, out.String())
}

// startMXServer serves the MX records of enprovence.com on a loopback UDP
// port (miekg/dns, in-process); other names do not exist.
func startMXServer(t *testing.T) string {
	t.Helper()
	return serveZone(t,
		"enprovence.com. 300 IN MX 10 mx.enprovence.com.",
		"enprovence.com. 300 IN MX 20 backup.enprovence.com.",
		"mx.enprovence.com. 300 IN A 127.0.0.10",
	)
}

func TestInspectDNS(t *testing.T) {
	server := startMXServer(t)
	code, out, errOut := facteur(t, t.TempDir(), "inspect", "--dns", server, "--timeout", "2s", courseExample)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	checkCourseRoute(t, out)
	_, dnsPart, ok := strings.Cut(out, "\nDNS look-ups ("+server+")\n")
	if !ok {
		t.Fatalf("no DNS part:\n%s", out)
	}
	for _, want := range []string{
		"  enprovence.com (recipient): MX 10 mx.enprovence.com, MX 20 backup.enprovence.com\n",
		"  wanadoo.fr (envelope sender): not-found\n",
		"  A/AAAA mx.enprovence.com (MX): 127.0.0.10\n",
		"  DNS done\n",
	} {
		if !strings.Contains(dnsPart, want) {
			t.Errorf("DNS part lacks %q:\n%s", want, dnsPart)
		}
	}

	code, out, errOut = facteur(t, t.TempDir(), "inspect", "--json", "--dns", server, "--timeout", "2s", courseExample)
	var r inspect.Report
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("--json: code %d: %s\n%s", code, errOut, out)
	}
	if r.DNS.State != inspect.DNSDone || len(r.DNS.Domains) != 2 || r.DNS.Domains[1].Domain != "enprovence.com" || len(r.DNS.Domains[1].Records) != 2 {
		t.Errorf("JSON DNS: %+v", r.DNS)
	}
}

// TestInspectOffline points --dns at a loopback port where nothing
// listens: the report says offline plainly and the command succeeds.
func TestInspectOffline(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := pc.LocalAddr().String()
	pc.Close()
	code, out, errOut := facteur(t, t.TempDir(), "inspect", "--dns", closed, courseExample)
	if code != 0 || !strings.Contains(out, "  offline: no DNS server could be reached\n") {
		t.Fatalf("code %d, stderr %q:\n%s", code, errOut, out)
	}
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(t.TempDir(), "empty.eml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no such id", []string{"inspect", "--no-dns", "999"}, 1, "no message with id 999"},
		{"empty file", []string{"inspect", "--no-dns", empty}, 1, "is not a mail message"},
		{"no such file", []string{"inspect", "--no-dns", "no/such.eml"}, 1, "no such file"},
		{"no argument", []string{"inspect"}, 2, "usage: facteur inspect"},
		{"two arguments", []string{"inspect", "a", "b"}, 2, "usage: facteur inspect"},
		{"bad timeout", []string{"inspect", "--timeout", "soon", courseExample}, 2, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := facteur(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("code %d, stderr %q; want code %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}
