package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"facteur/internal/dnsmx/dnstest"
	"facteur/mua/inspect"
)

// The course's example in DNS: enprovence.com has mail.monaco.net as
// primary MX and a secondary.
const courseZone = `
enprovence.com.       300 IN MX 10 mail.monaco.net.
enprovence.com.       300 IN MX 20 mx2.enprovence.com.
mail.monaco.net.      300 IN A  192.0.2.10
mx2.enprovence.com.   300 IN A  192.0.2.20
wanadoo.fr.           300 IN MX 10 smtp.wanadoo.fr.
smtp.wanadoo.fr.      300 IN A  192.0.2.30
58.19.252.193.in-addr.arpa. 300 IN PTR mahonia.w-n-doo.fr.
`

// newDNSZone serves the course's zone; the answers for the names in slow
// wait for Release, to see answers arrive one by one.
func newDNSZone(t *testing.T, slow ...string) *dnstest.Zone {
	t.Helper()
	z := dnstest.New(t, courseZone)
	z.Hold(slow...)
	return z
}

// inspectWithDNS opens the inspector on the course example against server,
// without waiting for the answers.
func (h *harness) inspectWithDNS(server string, timeout time.Duration) *inspector {
	h.t.Helper()
	h.c.opts.DNSServer = server
	h.c.insp.timeout = timeout
	h.open("test itineraire")
	h.c.inspectSelected()
	h.until("the report", func() bool { return h.c.insp.view != nil && h.c.insp.view.tabs.Visible() })
	return h.c.insp.view
}

// until runs the UI queue until cond holds, background work or not: it sees
// the states the window goes through while DNS answers arrive.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(time.Minute) // a bound on failure only
	defer deadline.Stop()
	for {
		h.q.drain()
		if cond() {
			return
		}
		select {
		case <-h.q.wake:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestInspectorDNSFillsInAsAnswersArrive(t *testing.T) {
	z := newDNSZone(t, "wanadoo.fr.")
	addr := z.Start(t)
	h := newHarness(t)
	// the held query is released below: the time-out only bounds a
	// failure, and must outlast a loaded machine's way to the release
	iv := h.inspectWithDNS(addr, time.Minute)
	if got := tabText(iv, tabDNS); !strings.Contains(got, "Looking up…") {
		t.Errorf("before any answer the DNS tab says\n%s", got)
	}
	// enprovence.com answers while wanadoo.fr is still asked.
	h.until("the MX of enprovence.com", func() bool { return strings.Contains(tabText(iv, tabDNS), "mail.monaco.net") })
	text := tabText(iv, tabDNS)
	writeTestPNG(t, filepath.Join(shotsDir(t), "inspector-dns-running.png"), iv.win.Canvas().Capture())
	if iv.dns.state != inspect.DNSRunning || !strings.Contains(text, "Looking up…") || iv.report != nil {
		t.Errorf("state %s while wanadoo.fr is unanswered:\n%s", iv.dns.state, text)
	}
	primary, secondary := strings.Index(text, "MX 10"), strings.Index(text, "MX 20")
	if primary < 0 || secondary < primary || !strings.Contains(text, "secondary (MX secondaire)") {
		t.Errorf("MX records not sorted by preference with their ranks:\n%s", text)
	}
	z.Release()
	h.settle()
	text = tabText(iv, tabDNS)
	if iv.dns.state != inspect.DNSDone || !strings.Contains(text, "Every look-up ended.") {
		t.Errorf("after the last answer, state %s:\n%s", iv.dns.state, text)
	}
	for _, want := range []string{"enprovence.com", "wanadoo.fr", "smtp.wanadoo.fr", "192.0.2.10",
		"Hop 3 was received by mail.monaco.net, the primary MX of enprovence.com", "mahonia.w-n-doo.fr"} {
		if !strings.Contains(text, want) {
			t.Errorf("the DNS tab lacks %q:\n%s", want, text)
		}
	}
	// Once Resolve is over the report is the UI's again: the route shows
	// that mail.monaco.net is the recipient's MX.
	if iv.report == nil || !hasMark(iv.route.diagram.model.nodes[3].marks, "recipient's MX") {
		t.Errorf("the route does not mark the recipient's MX: %+v", iv.route.diagram.model.nodes[3])
	}
}

func TestInspectorDNSOffline(t *testing.T) {
	h := newHarness(t)
	iv := h.inspectWithDNS(dnstest.ClosedPort(t), 2*time.Second)
	h.settle()
	text := tabText(iv, tabDNS)
	if iv.dns.state != inspect.DNSOffline || !strings.Contains(text, "Offline: no DNS answer") {
		t.Errorf("with no server, state %s:\n%s", iv.dns.state, text)
	}
	if iv.dns.progress.Visible() {
		t.Error("the progress bar still runs offline")
	}
}

func TestClosingTheInspectorCancelsItsLookups(t *testing.T) {
	z := newDNSZone(t, "wanadoo.fr.", "enprovence.com.")
	addr := z.Start(t)
	h := newHarness(t)
	iv := h.inspectWithDNS(addr, 10*time.Second)
	ctx := iv.ctx
	if ctx.Err() != nil {
		t.Fatal("the look-ups ended before the window closed")
	}
	iv.win.Close()
	if ctx.Err() == nil {
		t.Fatal("closing the inspector did not cancel its look-ups")
	}
	// settle waits for Resolve to return: no look-up is left behind, well
	// before the 10 s timeout.
	start := time.Now()
	h.settle()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the look-ups took %v to end after the close", d)
	}
	if iv.dns.state != inspect.DNSRunning {
		t.Errorf("a closed inspector was redrawn: state %s", iv.dns.state)
	}
}

func TestInspectingAnotherMessageCancelsTheFirst(t *testing.T) {
	z := newDNSZone(t, "wanadoo.fr.", "enprovence.com.")
	addr := z.Start(t)
	h := newHarness(t)
	iv := h.inspectWithDNS(addr, 10*time.Second)
	first := iv.ctx
	h.c.insp.noDNS = true
	essai, _, _ := h.c.rows.row(h.index("essai"))
	h.c.inspect(essai) // as the reader's button would, without waiting for the first
	if first.Err() == nil {
		t.Fatal("inspecting another message left the first one's look-ups running")
	}
	start := time.Now()
	h.settle()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the first look-ups took %v to end", d)
	}
	if h.c.insp.view != iv || iv.sum.Subject != "essai" || iv.route.diagram.model.nodes[1].name != "shiva.jussieu.fr" {
		t.Errorf("the inspector shows %q", iv.sum.Subject)
	}
}

// TestInspectorTabsRender draws every tab, light and dark, DNS answered by
// the in-process server; FACTEUR_SHOTS keeps the PNGs for a person to look at.
func TestInspectorTabsRender(t *testing.T) {
	addr := newDNSZone(t).Start(t)
	out := shotsDir(t)
	names := []string{"route", "envelope", "dns", "addresses", "auth", "raw"}
	for _, dark := range []bool{false, true} {
		h := newHarness(t)
		if dark {
			h.c.app.Settings().SetTheme(facteurTheme{mode: themeDark})
		}
		iv := h.inspectWithDNS(addr, 2*time.Second)
		h.settle()
		iv.win.Resize(fyne.NewSize(1280, 800))
		for i, name := range names {
			iv.tabs.SelectIndex(i)
			img := iv.win.Canvas().Capture()
			if distinctColors(img) < 8 {
				t.Errorf("%s: the image is almost blank", name)
			}
			writeTestPNG(t, filepath.Join(out, fmt.Sprintf("inspector-tab-%s-%s.png", name, themeName(dark))), img)
		}
		iv.addrs.show(mustReport(t, h, "essai"), nil)
		iv.tabs.SelectIndex(tabAddresses)
		writeTestPNG(t, filepath.Join(out, fmt.Sprintf("inspector-tab-addresses-essai-%s.png", themeName(dark))), iv.win.Canvas().Capture())
	}
}

func themeName(dark bool) string {
	if dark {
		return "dark"
	}
	return "light"
}

// mustReport analyses the message with that subject.
func mustReport(t *testing.T, h *harness, subject string) *inspect.Report {
	t.Helper()
	s, _, _ := h.c.rows.row(h.index(subject))
	r, err := h.c.analyze(context.Background(), s, inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestInspectorDrawsRealWorldRoutes draws messages of the families the
// inspector meets (Gmail to Postfix with amavis and LMTP, Exchange, qmail, a
// secondary MX, a route with clock skew, an unreadable field and a private
// address), checks the flags, and keeps the PNGs with FACTEUR_SHOTS.
func TestInspectorDrawsRealWorldRoutes(t *testing.T) {
	out := shotsDir(t)
	h := newHarness(t)
	iv := h.inspectMessage("test itineraire")
	iv.win.Resize(fyne.NewSize(1280, 800))
	files, err := filepath.Glob("testdata/inspect/*.eml")
	if err != nil || len(files) < 5 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := inspect.Analyze(bytes.NewReader(raw), inspect.Options{})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		iv.show(r)
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		for _, tab := range []int{tabRoute, tabAuth} {
			iv.tabs.SelectIndex(tab)
			img := iv.win.Canvas().Capture()
			if distinctColors(img) < 8 {
				t.Errorf("%s: the image is almost blank", name)
			}
			writeTestPNG(t, filepath.Join(out, fmt.Sprintf("inspector-%s-%d.png", name, tab)), img)
		}
		if name == "skew" {
			checkSkewMarks(t, iv.route.diagram.model)
		}
	}
}

// checkSkewMarks: the unreadable field is shown whole, the skew, the bad date
// and the private client are marked.
func checkSkewMarks(t *testing.T, m routeModel) {
	t.Helper()
	var raw []string
	var marks []string
	for _, e := range m.edges {
		if e.raw != "" {
			raw = append(raw, e.raw)
		}
		for _, mk := range e.marks {
			marks = append(marks, mk.text)
		}
	}
	for _, n := range m.nodes {
		for _, mk := range n.marks {
			marks = append(marks, mk.text)
		}
	}
	if !slices.Contains(raw, "garbled line without any clause") {
		t.Errorf("the unreadable field is not shown whole: %q", raw)
	}
	for _, want := range []string{"clock skew", "no readable date", "private IP", "unreadable: shown as written"} {
		if !slices.Contains(marks, want) {
			t.Errorf("no %q mark among %q", want, marks)
		}
	}
}

// The DNS tab shows a recipient's MTA-STS, DANE and TLS-RPT (issue 17).
func TestInspectorDNSSecurity(t *testing.T) {
	z := newDNSZone(t)
	z.Add(t, `_mta-sts.enprovence.com. 300 IN TXT "v=STSv1; id=42"`,
		`_smtp._tls.enprovence.com. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls@enprovence.com"`,
		`_25._tcp.mail.monaco.net. 300 IN TLSA 3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20`)
	z.Secure("enprovence.com", "_25._tcp.mail.monaco.net")
	h := newHarness(t)
	iv := h.inspectWithDNS(z.Start(t), 5*time.Second)
	h.settle()
	text := tabText(iv, tabDNS)
	for _, want := range []string{
		"MTA-STS", "record id 42, but the policy could not be fetched",
		"_25._tcp.mail.monaco.net", "DANE-EE 3 1 1 0102", "DNSSEC AD", "_25._tcp.mx2.enprovence.com", "no TLSA record",
		"reports to mailto:tls@enprovence.com", "the MX answer has the AD bit (authenticated)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the DNS tab lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "_25._tcp.smtp.wanadoo.fr") {
		t.Errorf("security facts for a domain that is not a recipient's:\n%s", text)
	}
	iv.win.Resize(fyne.NewSize(1280, 1600))
	writeTestPNG(t, filepath.Join(shotsDir(t), "inspector-dns-security.png"), iv.win.Canvas().Capture())
}
