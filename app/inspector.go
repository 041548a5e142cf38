package app

import (
	"bytes"
	"context"
	"io"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/dnsmx"
	"facteur/mailstore"
	"facteur/mua/inspect"
)

// The header inspector is a window of its own, beside the reading window: at
// 1280x800 the three reading panes leave no room for a route diagram, and a
// second window can stay open while the user reads on.
//
// Threading: Analyze runs on a worker goroutine (bg). Resolve runs on another
// (stream) under a context that ends when the window closes or another
// message is inspected; its answers reach the UI one by one. While Resolve
// runs the UI never reads the report, as mua/inspect asks: the tabs draw what
// they copied before it started, then the updates; once Resolve has returned,
// the report belongs to the UI again (resolved).

// maxInspectSize caps the bytes of a message the inspector reads (the header
// and what DKIM needs of the body), as mua/inspect does by default.
const maxInspectSize = 64 << 20

// inspectorWindowSize is the size the inspector window opens at.
var inspectorWindowSize = fyne.NewSize(1040, 720)

// shortcutInspect opens the inspector (also the key i).
var shortcutInspect = &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierShortcutDefault}

// The tabs, in order.
const (
	tabRoute = iota
	tabEnvelope
	tabDNS
	tabAddresses
	tabAuth
	tabRaw
)

// inspectorState is the controller's part of the inspector.
type inspectorState struct {
	view     *inspector      // the open inspector, nil when closed
	resolver *dnsmx.Resolver // made on first use, one per app
	// noDNS never asks DNS and shows the offline state (Screenshot).
	noDNS bool
	// timeout bounds each look-up; 0 is the library's default (5 s).
	timeout time.Duration
}

// inspector is the inspector window. Its fields belong to the UI goroutine.
type inspector struct {
	c       *controller
	win     fyne.Window
	tabs    *container.AppTabs
	subject *widget.Label
	status  *widget.Label // "Loading…" or why the message cannot be inspected
	top     *fyne.Container

	gen    int // bumped by each inspection: older results are dropped
	ctx    context.Context
	cancel context.CancelFunc
	sum    mailstore.Summary
	// report is nil while Analyze or Resolve runs: nothing may read it then.
	report *inspect.Report

	route *routeTab
	env   *envelopeTab
	dns   *dnsTab
	addrs *addressesTab
	auth  *authTab
	raw   *rawTab
}

// inspectSelected opens the inspector on the message in the reader (Inspect,
// Ctrl+H, i).
func (c *controller) inspectSelected() {
	if s, ok := c.selected(); ok {
		c.inspect(s)
	}
}

// inspect shows message s in the inspector, opening its window if needed.
func (c *controller) inspect(s mailstore.Summary) {
	c.inspectorWindow().start(s)
}

// inspectorWindow is the open inspector, or a new one.
func (c *controller) inspectorWindow() *inspector {
	iv := c.insp.view
	if iv == nil {
		iv = c.newInspector()
		c.insp.view = iv
		iv.win.Show()
	} else {
		iv.win.RequestFocus()
	}
	return iv
}

// newInspector makes the window and its tabs.
func (c *controller) newInspector() *inspector {
	iv := &inspector{c: c, win: c.app.NewWindow(lang.L("Inspector")),
		subject: widget.NewLabel(""), status: widget.NewLabel("")}
	iv.subject.TextStyle.Bold = true
	iv.subject.Truncation = fyne.TextTruncateEllipsis
	iv.status.Wrapping = fyne.TextWrapWord
	iv.route, iv.env, iv.dns = newRouteTab(), newEnvelopeTab(), newDNSTab()
	iv.addrs, iv.auth, iv.raw = newAddressesTab(), newAuthTab(), newRawTab()
	iv.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Route"), theme.MailForwardIcon(), iv.route.content()),
		container.NewTabItemWithIcon(lang.L("Envelope"), theme.MailComposeIcon(), iv.env.content()),
		container.NewTabItemWithIcon(lang.L("DNS"), theme.ComputerIcon(), iv.dns.content()),
		container.NewTabItemWithIcon(lang.L("Addresses"), theme.AccountIcon(), iv.addrs.content()),
		container.NewTabItemWithIcon(lang.L("Authentication"), theme.ConfirmIcon(), iv.auth.content()),
		container.NewTabItemWithIcon(lang.L("Raw headers"), theme.FileTextIcon(), iv.raw.content()),
	)
	iv.top = container.NewVBox(iv.subject, iv.status)
	iv.win.SetContent(container.NewBorder(iv.top, nil, nil, nil, iv.tabs))
	iv.win.Resize(inspectorWindowSize)
	iv.win.SetOnClosed(iv.closed)
	closeOnEscape(iv.win)
	return iv
}

// start inspects message s: the previous inspection's look-ups end, the
// message is read and analysed in the background.
func (iv *inspector) start(s mailstore.Summary) {
	iv.startWith(s, func(ctx context.Context, opt inspect.Options) (*inspect.Report, error) {
		return iv.c.analyze(ctx, s, opt)
	})
}

// startWith inspects what analyze reads (a stored message, or a message
// attached to one) under the name of s.
func (iv *inspector) startWith(s mailstore.Summary, analyze func(context.Context, inspect.Options) (*inspect.Report, error)) {
	iv.stop()
	iv.gen++
	gen := iv.gen
	iv.ctx, iv.cancel = context.WithCancel(iv.c.ctx)
	iv.sum, iv.report = s, nil
	iv.win.SetTitle(lang.L("Inspector: {{.Subject}}", map[string]any{"Subject": rowSubject(s.Subject)}))
	iv.subject.SetText(rowSubject(s.Subject))
	iv.tabs.Hide()
	iv.setStatus(lang.L("Loading…"))
	ctx, opt := iv.ctx, inspect.Options{LookupTimeout: iv.c.insp.timeout}
	iv.c.work.bg(func(context.Context) func() {
		r, err := analyze(ctx, opt)
		return func() {
			if gen != iv.gen {
				return // closed, or another message is inspected
			}
			if err != nil {
				iv.setStatus(lang.L("This message could not be inspected: {{.Error}}", map[string]any{"Error": err.Error()}))
				return
			}
			iv.show(r)
			iv.resolve(gen, r)
		}
	})
}

// stop ends the current inspection's look-ups.
func (iv *inspector) stop() {
	if iv.cancel != nil {
		iv.cancel()
	}
}

// closed runs when the window closes: the look-ups end, late answers are dropped.
func (iv *inspector) closed() {
	iv.stop()
	iv.gen++
	if iv.c.insp.view == iv {
		iv.c.insp.view = nil
	}
}

func (iv *inspector) setStatus(text string) {
	iv.status.SetText(text)
	setVisible(iv.status, text != "")
	iv.relayout()
}

// relayout places the header and the tabs again after one was shown or hidden.
func (iv *inspector) relayout() {
	iv.win.Content().Refresh()
}

// analyze reads stored message s and builds its report. The envelope that
// the delivery agent recorded in the mailstore is exact and wins over what
// the header tells; one the mailstore only read back from the header does not.
func (c *controller) analyze(ctx context.Context, s mailstore.Summary, opt inspect.Options) (*inspect.Report, error) {
	rc, err := c.store.Open(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(rc, maxInspectSize))
	rc.Close()
	if err != nil {
		return nil, err
	}
	if s.Envelope != nil && s.Envelope.Recorded {
		opt.Envelope = &inspect.KnownEnvelope{MailFrom: s.Envelope.MailFrom, RcptTo: slices.Clone(s.Envelope.RcptTo)}
	}
	return inspect.Analyze(bytes.NewReader(raw), opt)
}

// resolver is the app's DNS resolver, made on first use.
func (c *controller) resolver() *dnsmx.Resolver {
	if c.insp.resolver == nil {
		c.insp.resolver = dnsmx.New(dnsmx.Config{Server: c.opts.DNSServer, Timeout: c.insp.timeout})
	}
	return c.insp.resolver
}

// show draws the report in every tab. It runs before Resolve starts.
func (iv *inspector) show(r *inspect.Report) {
	iv.setStatus("")
	iv.route.show(r)
	iv.route.scroll.ScrollToTop()
	iv.env.show(r)
	iv.addrs.show(r, iv.sum.Envelope)
	iv.auth.show(r)
	iv.raw.show(r)
	iv.tabs.Show()
	iv.relayout()
}

// resolve asks DNS in the background; each answer is drawn as it arrives.
func (iv *inspector) resolve(gen int, r *inspect.Report) {
	if iv.c.insp.noDNS {
		iv.dns.begin(inspect.DNSOffline)
		iv.auth.finishDKIM(r, inspect.DNSOffline)
		iv.report = r
		return
	}
	iv.dns.begin(inspect.DNSRunning)
	iv.auth.dkimState(inspect.DNSRunning)
	res := iv.c.resolver()
	iv.c.work.stream(iv.ctx, func(ctx context.Context, send func(func())) func() {
		r.Resolve(ctx, res, func(u inspect.DNSUpdate) {
			send(func() { iv.applyDNS(gen, u) })
		})
		return func() { iv.resolved(gen, r) }
	})
}

// applyDNS draws one DNS answer.
func (iv *inspector) applyDNS(gen int, u inspect.DNSUpdate) {
	if gen != iv.gen {
		return
	}
	iv.dns.apply(u)
	if u.Kind == inspect.UpdateDKIM {
		iv.auth.dkimChecks(u.DKIM)
	}
}

// resolved runs once Resolve has returned: the report is the UI's again, with
// the DNS flags of the hops and the DNS findings.
func (iv *inspector) resolved(gen int, r *inspect.Report) {
	if gen != iv.gen {
		return
	}
	iv.report = r
	iv.dns.finish(r)
	iv.route.show(r)
	iv.env.showFindings(r)
	iv.auth.finishDKIM(r, r.DNS.State)
}
