package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/mtasts"
	"facteur/localmta"
	"facteur/mua/route"
)

// The composer's Route panel: the delivery preview of mua/route for the
// recipients and the sender of the window. A quiet check (DNS only, no
// policy fetched) runs a moment after the recipients change and calls
// out, above the buttons, the domains that cannot take the message; the
// Route button runs the whole preview (MTA-STS policies fetched) and
// shows it; Send asks before sending to a domain the last preview
// flagged.

// Delays and bounds of the route preview.
const (
	routeCheckAfter  = 1500 * time.Millisecond // of inactivity, before the quiet check
	routeTimeout     = 30 * time.Second        // bound on one preview
	routeDialogWidth = 680
)

// routeDeps are what the composers' previews share: the MTA-STS cache.
type routeDeps struct {
	sts *mtasts.Client
}

// composerRoute is the Route panel of one composer; UI goroutine only.
type composerRoute struct {
	btn      *widget.Button
	warn     *widget.Label // the flagged domains, above the buttons
	report   *route.Report // the last preview
	key      string        // the sender and recipients it is for
	accepted string        // the key the user chose to send to anyway
	stop     func()        // the pending quiet check
	gen      int
}

// routeBar is the Route button and the line of warnings, built once.
func (cm *composer) routeBar() (*widget.Button, *widget.Label) {
	cm.route.btn = widget.NewButtonWithIcon(lang.L("Route"), theme.NavigateNextIcon(), cm.showRoute)
	cm.route.warn = wrapLabel()
	cm.route.warn.Importance = widget.DangerImportance
	cm.route.warn.Hide()
	return cm.route.btn, cm.route.warn
}

// routeKey names what a preview is for: the sender and the recipients.
func (cm *composer) routeKey() string {
	parts := []string{cm.sender().label}
	for _, f := range cm.fields {
		parts = append(parts, f.entry.Text)
	}
	return strings.Join(parts, "\n")
}

// recipients are the texts of To, Cc and Bcc that are not empty.
func (cm *composer) recipients() []string {
	var out []string
	for _, f := range cm.fields {
		if t := strings.TrimSpace(f.entry.Text); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// routeChanged follows an edit: a new quiet check after a pause, when
// the recipients or the sender changed.
func (cm *composer) routeChanged() {
	if cm.route.btn == nil || cm.routeKey() == cm.route.key {
		return
	}
	cm.stopRoute()
	cm.route.stop = cm.c.work.later(routeCheckAfter, func() { cm.preview(false, nil) })
}

func (cm *composer) stopRoute() {
	if cm.route.stop != nil {
		cm.route.stop()
		cm.route.stop = nil
	}
}

// preview runs the delivery preview in the background (with the MTA-STS
// policies when full) and hands the report to done, if the recipients
// have not changed since.
func (cm *composer) preview(full bool, done func(*route.Report, error)) {
	cm.stopRoute()
	rcpts := cm.recipients()
	if len(rcpts) == 0 || cm.closed {
		cm.showRouteWarnings(nil)
		return
	}
	cm.route.gen++
	gen, key, s := cm.route.gen, cm.routeKey(), cm.sender()
	req := route.Request{Recipients: rcpts, Account: s.account, Resolver: cm.c.resolver()}
	if full {
		req.MTASTS = cm.c.routeSTS()
	}
	load := cm.c.routeRouter
	cm.c.work.bg(func(ctx context.Context) func() {
		var r *route.Report
		var err error
		if req.Account == nil {
			req.MTA, err = load()
		}
		if err == nil {
			ctx, cancel := context.WithTimeout(ctx, routeTimeout)
			defer cancel()
			r, err = route.Preview(ctx, req)
		}
		return func() {
			if gen != cm.route.gen || cm.closed {
				return
			}
			switch {
			case err == nil:
				cm.route.report, cm.route.key = r, key
				cm.showRouteWarnings(r)
			case errors.As(err, new(*mtaConfigError)):
				cm.showRouteLines([]string{err.Error()})
			}
			if done != nil {
				done(r, err)
			}
		}
	})
}

// showRouteWarnings calls out, above the buttons, what the report flags.
func (cm *composer) showRouteWarnings(r *route.Report) {
	var w []string
	if r != nil {
		w = routeWarnings(r)
	}
	cm.showRouteLines(w)
}

// showRouteLines shows warnings above the buttons, or hides their place.
func (cm *composer) showRouteLines(w []string) {
	show := len(w) > 0
	cm.route.warn.SetText(strings.Join(w, "\n"))
	if show != cm.route.warn.Visible() {
		setVisible(cm.route.warn, show)
		cm.win.Content().Refresh() // the buttons' row grows or shrinks
	}
}

// showRoute runs the whole preview and shows it in a dialog over the
// composer, "Looking up…" until it is there.
func (cm *composer) showRoute() {
	if len(cm.recipients()) == 0 {
		cm.showStatus(lang.L("Add a recipient to see the way the message will take."), true)
		return
	}
	progress := widget.NewProgressBarInfinite()
	body := container.NewStack(container.NewVBox(widget.NewLabel(lang.L("Looking up…")), progress))
	d := dialog.NewCustom(lang.L("Route of the message"), lang.L("Close"), container.NewVScroll(body), cm.win)
	d.Resize(fyne.NewSize(routeDialogWidth, 520))
	d.SetOnClosed(progress.Stop)
	d.Show()
	cm.preview(true, func(r *route.Report, err error) {
		progress.Stop()
		if err != nil {
			body.Objects = []fyne.CanvasObject{iconRow(theme.ErrorIcon(), err.Error())}
		} else {
			body.Objects = []fyne.CanvasObject{routeReportView(r)}
		}
		body.Refresh()
	})
}

// confirmRoute asks before sending to recipients that the last preview
// of these very recipients flagged; it reports whether it holds the
// sending back (Send again after the answer).
func (cm *composer) confirmRoute(later bool) bool {
	r, key := cm.route.report, cm.routeKey()
	if r == nil || key != cm.route.key || key == cm.route.accepted {
		return false
	}
	w := routeWarnings(r)
	if len(w) == 0 {
		return false
	}
	msg := lang.L("The message cannot reach some recipients:") + "\n\n" + strings.Join(w, "\n")
	dialog.ShowConfirm(lang.L("Send anyway?"), msg, func(ok bool) {
		if ok {
			cm.route.accepted = key
			cm.send(later)
		}
	}, cm.win)
	return true
}

// routeSTS is the MTA-STS client of the composers, made on first use.
func (c *controller) routeSTS() *mtasts.Client {
	if c.compose.routes.sts == nil {
		c.compose.routes.sts = mtasts.New(c.resolver(), mtasts.Options{Timeout: routeTimeout / 2})
	}
	return c.compose.routes.sts
}

// mtaConfigError: the local MTA's files cannot be read.
type mtaConfigError struct{ err error }

func (e *mtaConfigError) Error() string {
	return lang.L("The local MTA's configuration cannot be read") + ": " + e.err.Error()
}

func (e *mtaConfigError) Unwrap() error { return e.err }

// routeRouter is the local MTA's routing agent as the mail system would
// configure it (its mta/ files); without mail system options, the
// default one. A configuration that cannot be read is an error, as it is
// for `facteur route` and for the MTA itself: a route drawn from the
// defaults would not be the one the mail takes. It reads files: call it
// in the background.
func (c *controller) routeRouter() (*localmta.Router, error) {
	o := c.opts.MTA
	if o == nil || o.Load == nil {
		return localmta.NewRouter(localmta.Config{}), nil
	}
	cfg, _, err := o.Load(o.Dir, o.Addrs.WithDefaults())
	if err != nil {
		return nil, &mtaConfigError{err}
	}
	if o.Tune != nil {
		o.Tune(&cfg)
	}
	return localmta.NewRouter(cfg), nil
}
