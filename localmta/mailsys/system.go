package mailsys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"facteur/internal/sieve"
	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/imapd"
	"facteur/localmta/mtatls"
	"facteur/localmta/pop3d"
	"facteur/localmta/queue"
	"facteur/mailstore"
)

// State is where a mail system stands.
type State int

// The states of a mail system.
const (
	Stopped  State = iota // not started, or closed
	Running               // this process runs the MTA
	External              // a `facteur mta` daemon runs it; driven through its control socket
	Failed                // it could not start: Status.Err says why
)

// Status describes a mail system for the MTA panel.
type Status struct {
	State      State
	Err        error // Failed: why
	Hostname   string
	SMTP       []string
	Submission []string
	POP3       string // "" when off
	IMAP       string // "" when off
	IMAPS      string // implicit TLS; "" when off
	PID        int    // External: the daemon's process id
}

// Options configure Start.
type Options struct {
	Dir      string           // the profile's MTA directory (profile.Profile.MTADir())
	Addrs    Addrs            // "" fields mean the defaults
	Load     Loader           // nil means BareConfig("user")
	Hostname string           // "" keeps the configuration's
	Store    *mailstore.Store // where local mail goes (Local/INBOX)
	// Filters is the profile's filters directory, whose Local script runs
	// at delivery; "" means "filters" beside Dir (Dir is the profile's
	// mta/), when Store is set.
	Filters string
	Logger  *slog.Logger // nil means one that discards
	// Tune, when set, changes the loaded configuration before the MTA
	// starts (tests: queue backoff, DNS).
	Tune func(*localmta.Config)
	// Exclusive: when an MTA already runs on Dir, fail (ErrRunsElsewhere)
	// rather than drive it, as `facteur mta` does.
	Exclusive bool
	// Version is Facteur's version, which the IMAP server gives to
	// clients (ID, RFC 2971); "" means "dev".
	Version string
}

// ErrRunsElsewhere: Start with Exclusive found another MTA on the directory.
var ErrRunsElsewhere = errors.New("another MTA runs on this profile")

// System is the mail system of a profile as this process sees it: the MTA
// it runs (with POP3 and the control socket), or the daemon it drives. Its
// methods are safe for concurrent use.
type System struct {
	dir string

	mu     sync.Mutex
	status Status

	mta    *localmta.MTA   // Running
	client *control.Client // External

	lock   *control.Lock
	popLn  net.Listener
	imap   *IMAPServer
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	failed chan error // the first server that stopped on an error
}

// Start runs the mail system of opt.Dir, unless an MTA already runs there:
// then the System drives that one. It never fails: a System that could not
// start has State Failed and the error in its Status (a port in use, say),
// and holds nothing. ctx bounds the MTA's life; Close stops it too.
func Start(ctx context.Context, opt Options) *System {
	s := &System{dir: opt.Dir, failed: make(chan error, 1)}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c, lock, err := connect(ctx, opt)
	switch {
	case err != nil:
		s.status = Status{State: Failed, Err: err}
	case c != nil:
		s.client = c
		s.status = externalStatus(c.Info())
	default:
		s.lock = lock
		if err := s.run(ctx, opt); err != nil {
			s.Close()
			s.status = Status{State: Failed, Err: err}
		}
	}
	return s
}

// connect drives the MTA that runs on opt.Dir, or takes the directory's
// lock; with opt.Exclusive, only the lock (waiting a few seconds for a
// short-lived holder, a command writing into the spool).
func connect(ctx context.Context, opt Options) (*control.Client, *control.Lock, error) {
	if !opt.Exclusive {
		return control.Connect(ctx, opt.Dir)
	}
	lock, err := control.AcquireLock(ctx, opt.Dir, 5*time.Second)
	if errors.Is(err, control.ErrLocked) {
		return nil, nil, fmt.Errorf("mta: %w (%s is locked)", ErrRunsElsewhere, control.LockFile(opt.Dir))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mta: %w", err)
	}
	return nil, lock, nil
}

func externalStatus(info control.Info) Status {
	return Status{State: External, Hostname: info.Hostname, SMTP: info.SMTP,
		Submission: info.Submission, POP3: info.POP3, IMAP: info.IMAP, IMAPS: info.IMAPS, PID: info.PID}
}

// run starts the MTA, the POP3 server and the control socket, as `facteur
// mta` does.
func (s *System) run(parent context.Context, opt Options) error {
	if opt.Load == nil {
		opt.Load = BareConfig("user")
	}
	cfg, addrs, err := opt.Load(opt.Dir, opt.Addrs.WithDefaults())
	if err != nil {
		return err
	}
	cfg.Store, cfg.Logger = opt.Store, opt.Logger
	if opt.Filters == "" && opt.Store != nil {
		opt.Filters = filepath.Join(filepath.Dir(opt.Dir), "filters")
	}
	if opt.Filters != "" {
		cfg.Filters = sieve.OpenScripts(opt.Filters)
	}
	if opt.Hostname != "" {
		cfg.Hostname = opt.Hostname
	}
	if opt.Tune != nil {
		opt.Tune(&cfg)
	}
	ctx, cancel := context.WithCancel(parent)
	s.cancel = cancel
	if s.mta, err = localmta.New(ctx, cfg); err != nil {
		return fmt.Errorf("mta: %w", err)
	}
	pop, err := s.listenPOP3(ctx, cfg, addrs.POP3, opt.Logger)
	if err != nil {
		return err
	}
	s.imap, err = ListenIMAP(ctx, IMAPOptions{Dir: s.dir, Hostname: s.mta.Hostname(), Store: cfg.Store, Users: cfg.Users,
		Addr: addrs.IMAP, TLSAddr: addrs.IMAPS, Version: opt.Version, Logger: opt.Logger})
	if err != nil {
		return err
	}
	if len(cfg.Users) == 0 && (pop != nil || s.imap != nil) {
		opt.Logger.Warn("no mta/users file: POP3, IMAP and SMTP AUTH logins are refused")
	}
	info := s.info(cfg.Listeners)
	ctl, err := control.Listen(ctx, opt.Dir, s.mta.Queue(), info, opt.Logger)
	if err != nil {
		return fmt.Errorf("mta: control socket: %w", err)
	}
	s.mta.Start(ctx)
	s.goServe(opt.Logger, "control", func() error { return ctl.Serve(ctx) })
	if pop != nil {
		s.goServe(opt.Logger, "pop3", func() error { return pop.Serve(ctx, s.popLn) })
	}
	if s.imap != nil {
		s.imap.Serve(ctx, func(name string, serve func() error) { s.goServe(opt.Logger, name, serve) })
	}
	s.status = Status{State: Running, Hostname: info.Hostname, SMTP: info.SMTP, Submission: info.Submission, POP3: info.POP3,
		IMAP: info.IMAP, IMAPS: info.IMAPS}
	return nil
}

// listenPOP3 binds the POP3 listener; nil when it is off.
func (s *System) listenPOP3(ctx context.Context, cfg localmta.Config, addr string, log *slog.Logger) (*pop3d.Server, error) {
	if addr == Off {
		return nil, nil
	}
	tlsCfg, err := mtatls.ServerConfig(s.dir, s.mta.Hostname())
	if err != nil {
		return nil, fmt.Errorf("mta: pop3 certificate: %w", err)
	}
	pop, err := pop3d.New(pop3d.Config{Store: cfg.Store, Users: cfg.Users, Hostname: s.mta.Hostname(), TLS: tlsCfg, Logger: log})
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	if s.popLn, err = lc.Listen(ctx, "tcp", addr); err != nil {
		return nil, fmt.Errorf("mta: pop3: %w", err)
	}
	return pop, nil
}

// info is what the control socket publishes.
func (s *System) info(ls []localmta.Listener) control.Info {
	info := control.Info{Hostname: s.mta.Hostname()}
	for i, a := range s.mta.Addrs() {
		if ls[i].Submission {
			info.Submission = append(info.Submission, a)
		} else {
			info.SMTP = append(info.SMTP, a)
		}
	}
	if s.popLn != nil {
		info.POP3 = s.popLn.Addr().String()
	}
	info.IMAP, info.IMAPS = s.imap.Addrs()
	return info
}

// goServe runs a server loop until the system stops; it logs its error.
func (s *System) goServe(log *slog.Logger, name string, serve func() error) {
	s.wg.Go(func() {
		defer func() {
			if r := recover(); r != nil {
				log.Error("mail system: panic", "in", name, "panic", r)
			}
		}()
		if err := serve(); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Error("mail system: server stopped", "server", name, "err", err)
			select {
			case s.failed <- fmt.Errorf("mta: %s: %w", name, err):
			default:
			}
		}
	})
}

// Failed returns a channel that yields the error of the first server that
// stopped on its own (not by Close): the mail system no longer works
// whole. `facteur mta` exits with it.
func (s *System) Failed() <-chan error { return s.failed }

// Close stops the MTA this process runs, waiting for the deliveries in
// flight (queued mail stays on disk), and releases the profile's MTA
// directory. It leaves an external daemon running.
func (s *System) Close() error {
	s.once.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		if s.popLn != nil {
			s.popLn.Close()
		}
		if s.mta != nil {
			s.mta.Close()
		}
		s.imap.Close()
		s.wg.Wait()
		if s.lock != nil {
			s.lock.Unlock()
		}
		s.mu.Lock()
		if s.status.State == Running {
			s.status.State = Stopped
		}
		s.mu.Unlock()
	})
	return nil
}

// Status returns the state and addresses of the mail system.
func (s *System) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *System) running() bool { return s.mta != nil && s.Status().State == Running }

// SubmitAddr is the SMTP address to submit local mail to, "" when the
// system neither runs nor is driven.
func (s *System) SubmitAddr() string {
	if st := s.Status(); (st.State == Running || st.State == External) && len(st.SMTP) > 0 {
		return st.SMTP[0]
	}
	return ""
}

// Queue lists the queued messages, oldest first.
func (s *System) Queue() ([]queue.Message, error) {
	if s.running() {
		msgs := s.mta.Queue().List()
		SortQueue(msgs)
		return msgs, nil
	}
	return ReadSpool(localmta.QueueDir(s.dir), io.Discard)
}

// ErrNotRunning: the operation needs a running MTA.
var ErrNotRunning = errors.New("mail system: the MTA does not run")

// Flush makes every message that is not held due now.
func (s *System) Flush(ctx context.Context) error {
	switch {
	case s.client != nil:
		return s.client.Flush(ctx)
	case s.running():
		s.mta.Queue().Flush()
		return nil
	}
	return ErrNotRunning
}

// Hold keeps a message in the queue until Release.
func (s *System) Hold(ctx context.Context, id string) error {
	return s.op(ctx, id, (*control.Client).Hold, (*queue.Queue).Hold)
}

// Release lets a held message go at once.
func (s *System) Release(ctx context.Context, id string) error {
	return s.op(ctx, id, (*control.Client).Release, (*queue.Queue).Release)
}

// Delete removes a message from the queue without bounce.
func (s *System) Delete(ctx context.Context, id string) error {
	return s.op(ctx, id, (*control.Client).Delete, (*queue.Queue).Delete)
}

func (s *System) op(ctx context.Context, id string, remote func(*control.Client, context.Context, string) error, local func(*queue.Queue, string) error) error {
	switch {
	case s.client != nil:
		return remote(s.client, ctx, id)
	case s.running():
		return local(s.mta.Queue(), id)
	}
	return ErrNotRunning
}

// Deliveries returns the latest delivery attempts, newest first; nil for
// an external daemon, which logs them instead.
func (s *System) Deliveries() []localmta.DeliveryEvent {
	if s.mta == nil {
		return nil
	}
	return s.mta.Deliveries()
}

// Sessions returns the latest outgoing SMTP sessions, oldest first; nil
// for an external daemon.
func (s *System) Sessions() []localmta.OutSession {
	if s.mta == nil {
		return nil
	}
	return s.mta.Sessions()
}

// IMAPSessions returns the open IMAP sessions and the latest ended ones,
// oldest first; nil for an external daemon.
func (s *System) IMAPSessions() []imapd.SessionInfo { return s.imap.Sessions() }

// Changed returns a channel closed when the next delivery attempt ends;
// nil (never ready) when this process does not run the MTA.
func (s *System) Changed() <-chan struct{} {
	if s.mta == nil {
		return nil
	}
	return s.mta.DeliveriesChanged()
}

// Spool is the queue of the MTA this process runs, for the GUI's outbox
// (mua/submit.Spool); nil when the MTA does not run here.
func (s *System) Spool() *queue.Queue {
	if !s.running() {
		return nil
	}
	return s.mta.Queue()
}
