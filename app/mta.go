package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/localmta"
	"facteur/localmta/imapd"
	"facteur/localmta/mailsys"
	"facteur/localmta/mda"
	"facteur/localmta/queue"
	"facteur/mailstore"
)

// MTAOptions configure the mail system that starts with the window: the
// bundled MTA and POP3 server, or the `facteur mta` daemon already running
// on the profile.
type MTAOptions struct {
	Dir   string        // the profile's MTA directory
	Addrs mailsys.Addrs // "" fields mean 127.0.0.1:2525, 2587 and 1110
	// Load reads the MTA's configuration; nil means none but the
	// mailbox of the Local account.
	Load mailsys.Loader
	// LocalAddress is the Local account's address, login@localhost: the
	// welcome message goes there.
	LocalAddress string
	Hostname     string       // "" means the configuration's
	Logger       *slog.Logger // nil discards
	// Tune changes the configuration before the MTA starts (tests).
	Tune func(*localmta.Config)
}

// mtaRefreshEvery is how often an open MTA panel reads the queue again;
// mtaChangeDelay groups the refreshes that deliveries ask for.
const (
	mtaRefreshEvery = 2 * time.Second
	mtaChangeDelay  = 250 * time.Millisecond
)

// mtaState is what the window knows of the mail system. Its fields are
// read and written on the UI goroutine only, except run.
type mtaState struct {
	run      *mtaRunner
	status   mailsys.Status
	starting bool
	welcome  error // the welcome message could not be sent

	snap      mtaSnapshot
	loaded    bool   // snap holds a first answer
	refresh   func() // stops the planned refresh; nil when none
	tick      int    // generation of the planned refresh
	indicator *widget.Button
	tray      desktop.App // the system tray, nil when there is none (see tray.go)
	trayText  string      // the state the tray shows; "" before the first
	panel     *mtaPanel
}

// mtaSnapshot is one reading of the mail system, made in the background.
type mtaSnapshot struct {
	status     mailsys.Status
	queue      []queue.Message
	queueErr   error
	deliveries []localmta.DeliveryEvent
	sessions   []localmta.OutSession
	imap       []imapd.SessionInfo
}

// mtaRunner owns the running system across goroutines: the start job
// hands it over, and close (on quit) stops it even when the start is still
// on its way.
type mtaRunner struct {
	mu     sync.Mutex
	sys    *mailsys.System
	closed bool
}

// set keeps sys, or closes it at once when the window is gone.
func (r *mtaRunner) set(sys *mailsys.System) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		sys.Close()
		return false
	}
	r.sys = sys
	return true
}

func (r *mtaRunner) get() *mailsys.System {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sys
}

// close stops the MTA, waiting for the deliveries in flight.
func (r *mtaRunner) close() {
	r.mu.Lock()
	sys := r.sys
	r.closed, r.sys = true, nil
	r.mu.Unlock()
	if sys != nil {
		sys.Close()
	}
}

// startMTA starts the mail system in the background (binding ports and
// finding a running daemon take time), then sends the welcome message of
// a first run and follows the deliveries.
func (c *controller) startMTA() {
	o := c.opts.MTA
	if o == nil {
		return
	}
	c.mta.run = &mtaRunner{}
	c.mta.starting = true
	run := c.mta.run
	store := c.opts.Store
	c.work.bg(func(ctx context.Context) func() {
		sys := mailsys.Start(ctx, mailsys.Options{Dir: o.Dir, Addrs: o.Addrs, Load: o.Load,
			Hostname: o.Hostname, Store: store, Logger: o.Logger, Tune: o.Tune, Version: c.opts.Version})
		if !run.set(sys) {
			return nil
		}
		st := sys.Status()
		return func() {
			c.mta.starting = false
			c.setMTAStatus(st)
			c.sendWelcome(sys)
			c.followMTA(sys)
			c.refreshMTA()
		}
	})
}

// stopMTA stops the MTA this window runs; the daemon of another process
// runs on.
func (c *controller) stopMTA() {
	if c.mta.refresh != nil {
		c.mta.refresh()
		c.mta.refresh = nil
	}
	if c.mta.run != nil {
		c.mta.run.close()
	}
}

// sendWelcome delivers the welcome message of a first run through the MTA,
// into the Local account's INBOX (created first).
func (c *controller) sendWelcome(sys *mailsys.System) {
	o := c.opts.MTA
	if sys.SubmitAddr() == "" || o.LocalAddress == "" {
		return
	}
	st := sys.Status()
	c.work.bg(func(ctx context.Context) func() {
		err := c.store.CreateFolder(ctx, mda.LocalInbox, mailstore.RoleInbox)
		if err == nil {
			_, err = mailsys.SendWelcome(ctx, o.Dir, st, o.LocalAddress, time.Now())
		}
		return func() {
			c.mta.welcome = err
			c.refreshMTA()
		}
	})
}

// followMTA refreshes the MTA views after each delivery attempt, at most
// once per mtaChangeDelay, until the window closes.
func (c *controller) followMTA(sys *mailsys.System) {
	if sys.Changed() == nil {
		return
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fyne.LogError("facteur: MTA changes", fmt.Errorf("%v", r))
			}
		}()
		changed := sys.Changed()
		for {
			select {
			case <-c.ctx.Done():
				return
			case <-changed:
			}
			select { // group the deliveries of a burst
			case <-c.ctx.Done():
				return
			case <-time.After(mtaChangeDelay):
			}
			changed = sys.Changed() // before the reading: no change is missed
			c.work.post(c.mtaChanged)
		}
	}()
}

// mtaChanged reads the mail system again now: a delivery attempt ended.
func (c *controller) mtaChanged() {
	if c.mta.refresh != nil {
		c.mta.refresh()
		c.mta.refresh = nil
	}
	c.refreshMTA()
}

// scheduleMTARefresh reads the mail system after d, unless a reading is
// already planned. The timer is not a worker job: an open panel, which
// reads the queue every mtaRefreshEvery, does not keep the window from
// settling (tests, Screenshot).
func (c *controller) scheduleMTARefresh(d time.Duration) {
	if c.mta.refresh != nil {
		return
	}
	c.mta.tick++
	gen := c.mta.tick
	t := time.AfterFunc(d, func() {
		c.work.post(func() {
			if c.mta.tick != gen || c.mta.refresh == nil {
				return // stopped, or replaced
			}
			c.mta.refresh = nil
			c.refreshMTA()
		})
	})
	c.mta.refresh = func() { t.Stop() }
}

// refreshMTA reads the state, the queue, the deliveries and the sessions
// in the background and shows them.
func (c *controller) refreshMTA() {
	if c.mta.run == nil {
		return
	}
	sys := c.mta.run.get()
	if sys == nil {
		return
	}
	c.work.bg(func(context.Context) func() {
		var s mtaSnapshot
		s.status = sys.Status()
		s.queue, s.queueErr = sys.Queue()
		s.deliveries = sys.Deliveries()
		s.sessions = sys.Sessions()
		s.imap = sys.IMAPSessions()
		return func() { c.showMTASnapshot(s) }
	})
}

// showMTASnapshot updates the indicator and the panel, and plans the next
// reading while the panel is open.
func (c *controller) showMTASnapshot(s mtaSnapshot) {
	c.mta.snap, c.mta.loaded = s, true
	c.setMTAStatus(s.status)
	if c.mta.panel != nil {
		c.mta.panel.show(c)
		c.scheduleMTARefresh(mtaRefreshEvery)
	}
}

// setMTAStatus shows the state in the indicator and the tray.
func (c *controller) setMTAStatus(st mailsys.Status) {
	c.mta.status = st
	c.updateMTAIndicator()
	c.updateTray()
}

// mtaStateText is the state in a few words.
func (c *controller) mtaStateText() string {
	if c.mta.run == nil {
		return lang.L("Local MTA: off")
	}
	if c.mta.starting {
		return lang.L("Local MTA: starting…")
	}
	switch c.mta.status.State {
	case mailsys.Running:
		return lang.L("Local MTA: running")
	case mailsys.External:
		return lang.L("Local MTA: running (facteur mta)")
	case mailsys.Failed:
		return lang.L("Local MTA: error")
	}
	return lang.L("Local MTA: stopped")
}

// mtaAct runs a queue action in the background, then reads the queue again;
// a failure is shown in a dialog over the panel.
func (c *controller) mtaAct(act func(ctx context.Context, sys *mailsys.System) error) {
	if c.mta.run == nil {
		return
	}
	sys := c.mta.run.get()
	if sys == nil {
		return
	}
	c.work.bg(func(ctx context.Context) func() {
		err := act(ctx, sys)
		return func() {
			if err != nil {
				c.showMTAError(err)
			}
			c.refreshMTA()
		}
	})
}
