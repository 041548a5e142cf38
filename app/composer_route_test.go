package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/dnsmx"
	"facteur/internal/dnsmx/dnstest"
	"facteur/internal/mtasts"
	"facteur/internal/mtasts/ststest"
	"facteur/localmta/mailsys"
)

const routeTestZone = `
sts.test.            60 IN MX 10 mx.sts.test.
mx.sts.test.         60 IN A 127.0.0.2
_mta-sts.sts.test.   60 IN TXT "v=STSv1; id=5"
_smtp._tls.sts.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:rpt@sts.test"
null.test.           60 IN MX 0 .
`

// routeHarness is a window whose composers ask a DNS server and a policy
// server on loopback.
func routeHarness(t *testing.T) (*harness, *ststest.Server) {
	t.Helper()
	addr := dnstest.Serve(t, routeTestZone)
	srv := ststest.Start(t, nil)
	srv.Set("sts.test", "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 86400\n")
	h := newHarness(t)
	h.c.opts.DNSServer = addr
	h.c.insp.timeout = 5 * time.Second
	h.c.compose.routes.sts = mtasts.New(dnsmx.New(dnsmx.Config{Server: addr}), mtasts.Options{RootCAs: srv.CA.Pool(), DialContext: srv.Dial})
	return h, srv
}

// overlayTexts is the text of the labels and badges of the dialogs over
// a window.
func overlayTexts(w fyne.Window) string {
	var b strings.Builder
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.Label:
				b.WriteString(x.Text + "\n")
			case *canvas.Text:
				b.WriteString(x.Text + "\n")
			}
		})
	}
	return b.String()
}

func TestComposerRouteCallsOutDomainsBeforeSend(t *testing.T) {
	h, srv := routeHarness(t)
	cm := h.newComposer()
	test.Type(cm.fields[0].entry, "marc@sts.test, x@null.test")
	h.until("the quiet check", func() bool { return cm.route.warn.Visible() })
	if !strings.Contains(cm.route.warn.Text, "null.test accepts no mail (null MX, RFC 7505).") || strings.Contains(cm.route.warn.Text, "sts.test") {
		t.Fatalf("warning %q", cm.route.warn.Text)
	}
	if srv.Fetches("sts.test") != 0 {
		t.Errorf("the quiet check fetched a policy")
	}
	// Send asks first.
	test.Tap(cm.sendBtn)
	h.settle()
	if text := overlayTexts(cm.win); !strings.Contains(text, "Send anyway?") || !strings.Contains(text, "null.test accepts no mail") || cm.sending {
		t.Fatalf("Send with a flagged domain: sending %v, dialogs:\n%s", cm.sending, text)
	}
	for _, o := range cm.win.Canvas().Overlays().List() {
		cm.win.Canvas().Overlays().Remove(o)
	}
	// The Route button shows the whole preview, the policy fetched.
	test.Tap(cm.route.btn)
	h.until("the report", func() bool { return strings.Contains(overlayTexts(cm.win), "mx.sts.test") })
	text := overlayTexts(cm.win)
	for _, want := range []string{
		"Cannot be delivered", "null.test accepts no mail (null MX, RFC 7505).",
		"1. The local MTA ", "2. the MX hosts of sts.test, by preference",
		"matches MTA-STS", "The local MTA will require TLS with a certificate valid for mx.sts.test (MTA-STS enforce).",
		"mode enforce, mx mx.sts.test, kept 1 day(s)", "reports to mailto:rpt@sts.test",
		"DNSSEC: the AD bit comes from the DNS server you configured",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Route dialog lacks %q:\n%s", want, text)
		}
	}
	if srv.Fetches("sts.test") != 1 {
		t.Errorf("policy fetched %d times", srv.Fetches("sts.test"))
	}
	writeTestPNG(t, shotsDir(t)+"/composer-route.png", cm.win.Canvas().Capture())
	// Other recipients: the warning goes.
	cm.fields[0].entry.SetText("marc@sts.test")
	h.until("the new check", func() bool { return !cm.route.warn.Visible() && cm.route.key == cm.routeKey() })
	if cm.confirmRoute(false) {
		t.Errorf("Send is held back for recipients that all can take the message")
	}
}

// A local MTA whose files cannot be read does not get a route drawn from
// the defaults: the composer says the configuration is wrong, as
// `facteur route` and the MTA itself do.
func TestComposerRouteSaysTheMTAConfigurationIsBroken(t *testing.T) {
	h, _ := routeHarness(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "transport"), []byte("sts.test smtp:[broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.c.opts.MTA = &MTAOptions{Dir: dir, Load: mailsys.DefaultSettings("moi").Loader()}
	if _, _, err := h.c.opts.MTA.Load(dir, mailsys.Addrs{}); err == nil {
		t.Fatal("the broken transport table loads: the test proves nothing")
	}
	cm := h.newComposer()
	test.Type(cm.fields[0].entry, "marc@sts.test")
	h.until("the quiet check", func() bool { return cm.route.warn.Visible() })
	if !strings.Contains(cm.route.warn.Text, "The local MTA's configuration cannot be read: ") || !strings.Contains(cm.route.warn.Text, "transport") {
		t.Fatalf("warning %q", cm.route.warn.Text)
	}
}
