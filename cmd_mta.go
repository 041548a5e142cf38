package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"facteur/internal/profile"
	"facteur/internal/sieve"
	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/mailsys"
	"facteur/localmta/mtatls"
	"facteur/localmta/pop3d"
	"facteur/localmta/queue"
	"facteur/mailstore"
)

const mtaUsage = "mta [--smtp ADDR] [--submission ADDR] [--pop3 ADDR] [--imap ADDR] [--imaps ADDR] [--hostname H] [--dns SERVER]\n" +
	"           [--deliver maildir|mbox] [--relay-nets CIDR,...] [--source-ip IP] [--mx-port PORT]"

// mtaFilesHelp documents the optional files of the profile's mta/ directory.
const mtaFilesHelp = `
Configuration files, read at start when present in the profile's mta/ directory:
  users       login:password lines, the password a bcrypt hash ($2a$...) or {plain}secret;
              the logins of SMTP AUTH, POP3 and IMAP, each with a local mailbox
  aliases     /etc/aliases format: "name: user, other@remote.example", '#' comments
  transport   Postfix transport(5) table: "example.com smtp:[192.168.23.56]:20025",
              ".sub.example.com smtp:relay.example", "* smtp:[smarthost]:587"
  relayhost   a smarthost for all non-local mail, Postfix style: first line
              "[smtp.example.com]:587" (brackets: no MX look-up), then optional
              "username NAME", "password SECRET", "require_tls" lines
  domains     more local domains, one a line (the host name and localhost always are)
  options     any option of this command, one a line, without its dashes:
              "deliver mbox", "relay-nets 127.0.0.1/32, 192.168.1.0/24", "mx-port 2525";
              an option given on the command line wins
The MTA keeps its queue in mta/queue, its TLS certificate in mta/tls, and publishes its
addresses in mta/control.json while it runs (mta.lock is held meanwhile).
Local mail goes into the Local account's INBOX, served over POP3 and IMAP (--deliver maildir),
or is appended to the mbox spool file mta/mail/<login>, the /var/mail/login of
Unix systems (--deliver mbox).
`

// mtaOptions are the options of `facteur mta`, from the command line
// and the options file, as given: loadMTAConfig checks them.
type mtaOptions struct {
	smtp, submission, pop3, hostname, dns string
	imap, imaps                           string
	deliver, relayNets, sourceIP, mxPort  string
	delayWarning                          string
	maxConns, maxClientConns              string
	// set names the options given on the command line: the options file
	// does not override them.
	set map[string]bool
}

// mtaFlag is one option of `facteur mta`: its name, default and usage.
type mtaFlag struct {
	name, value, usage string
	field              func(*mtaOptions) *string
}

var mtaFlags = []mtaFlag{
	{"smtp", "127.0.0.1:2525", "SMTP listen address (STARTTLS offered)", func(o *mtaOptions) *string { return &o.smtp }},
	{"submission", "127.0.0.1:2587", `submission listen address, AUTH required ("off": none)`, func(o *mtaOptions) *string { return &o.submission }},
	{"pop3", pop3d.DefaultAddr, `POP3 listen address ("off": none)`, func(o *mtaOptions) *string { return &o.pop3 }},
	{"imap", mailsys.DefaultIMAP, `IMAP listen address, STARTTLS offered ("off": none)`, func(o *mtaOptions) *string { return &o.imap }},
	{"imaps", mailsys.Off, `IMAP listen address with implicit TLS, such as 127.0.0.1:1993 ("off": none)`, func(o *mtaOptions) *string { return &o.imaps }},
	{"hostname", "", "host name in greetings and Received lines (default: this host's name)", func(o *mtaOptions) *string { return &o.hostname }},
	{"dns", "", "DNS server for MX look-ups, host:port (default: the system's resolver)", func(o *mtaOptions) *string { return &o.dns }},
	{"deliver", "maildir", `local delivery: "maildir" (the Local account's INBOX) or "mbox" (spool files mta/mail/<login>)`, func(o *mtaOptions) *string { return &o.deliver }},
	{"relay-nets", "", "client networks that may relay without AUTH, CIDR,... (default: loopback, 127.0.0.0/8 and ::1)", func(o *mtaOptions) *string { return &o.relayNets }},
	{"source-ip", "", "local address of outgoing SMTP connections (default: chosen by the system)", func(o *mtaOptions) *string { return &o.sourceIP }},
	{"mx-port", "", "port of the MX hosts, for test networks only: mail between MTAs goes to port 25 (default 25)", func(o *mtaOptions) *string { return &o.mxPort }},
	{"delay-warning", "", `tell the sender once when a message is still queued after this long, "4h" (Postfix's delay_warning_time; default: never)`, func(o *mtaOptions) *string { return &o.delayWarning }},
	{"max-connections", "", `open SMTP connections at most, the excess answered 421 ("none": no limit; default 500)`, func(o *mtaOptions) *string { return &o.maxConns }},
	{"max-client-connections", "", `open SMTP connections per client outside --relay-nets ("none": no limit; default 50)`, func(o *mtaOptions) *string { return &o.maxClientConns }},
}

// cmdMTA runs the local MTA and its POP3 server in the foreground, like
// `postfix start-fg`, until SIGINT or SIGTERM.
func cmdMTA(e *env) error {
	opt, err := parseMTAFlags(e)
	if err != nil {
		return err
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	lock, err := control.AcquireLock(ctx, p.MTADir(), 5*time.Second)
	if errors.Is(err, control.ErrLocked) {
		return fmt.Errorf("mta: another MTA runs on %s (%s is locked)", p.Dir, control.LockFile(p.MTADir()))
	}
	if err != nil {
		return fmt.Errorf("mta: %w", err)
	}
	defer lock.Unlock()
	store, _, err := openStore(e)
	if err != nil {
		return err
	}
	defer store.Close()
	return runDaemon(ctx, log, p, store, opt)
}

func parseMTAFlags(e *env) (mtaOptions, error) {
	opt := mtaOptions{set: map[string]bool{}}
	fs := newFlags(e, "mta")
	for _, f := range mtaFlags {
		fs.StringVar(f.field(&opt), f.name, f.value, f.usage)
	}
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: facteur "+mtaUsage)
		fs.PrintDefaults()
		fmt.Fprint(e.stderr, mtaFilesHelp)
	}
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return opt, err
	}
	if len(args) != 0 || opt.smtp == "" || opt.smtp == "off" {
		return opt, usageError{"usage: facteur " + mtaUsage}
	}
	fs.Visit(func(f *flag.Flag) { opt.set[f.Name] = true })
	return opt, nil
}

// daemon is a running `facteur mta`: the MTA, the POP3 server and the
// control socket.
type daemon struct {
	log  *slog.Logger
	mta  *localmta.MTA
	pop  *pop3d.Server
	ln   net.Listener // POP3; nil when off
	imap *mailsys.IMAPServer
	ctl  *control.Server
	wg   sync.WaitGroup
	errc chan error
}

// runDaemon starts everything, serves until ctx ends (or a server fails)
// and stops cleanly: every goroutine it started has ended when it returns.
func runDaemon(parent context.Context, log *slog.Logger, p profile.Profile, store *mailstore.Store, opt mtaOptions) error {
	opt, err := readMTAOptions(p.MTADir(), opt)
	if err != nil {
		return err
	}
	opt = imapOffForMbox(opt)
	cfg, err := loadMTAConfig(p.MTADir(), opt)
	if err != nil {
		return err
	}
	cfg.Store, cfg.Logger = store, log
	cfg.Outbox = outboxDeliverer(p, store, log)
	cfg.Filters = sieve.OpenScripts(p.FiltersDir()) // the Local script runs at delivery
	ctx, cancel := context.WithCancel(parent)
	d := &daemon{log: log, errc: make(chan error, 4)}
	defer d.stop(cancel)
	if err := d.start(ctx, p.MTADir(), cfg, opt); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-d.errc:
		return err
	}
}

// start opens the MTA and POP3 listeners, then publishes control.json.
func (d *daemon) start(ctx context.Context, dir string, cfg localmta.Config, opt mtaOptions) error {
	m, err := localmta.New(ctx, cfg)
	if err != nil {
		return fmt.Errorf("mta: %w", err)
	}
	d.mta = m
	if err := d.startPOP3(ctx, dir, cfg, opt.pop3); err != nil {
		return err
	}
	d.imap, err = mailsys.ListenIMAP(ctx, mailsys.IMAPOptions{Dir: dir, Hostname: m.Hostname(), Store: cfg.Store,
		Users: cfg.Users, Addr: opt.imap, TLSAddr: opt.imaps, Logger: d.log})
	if err != nil {
		return err
	}
	info := control.Info{Hostname: m.Hostname()}
	d.addrs(&info, cfg.Listeners)
	if d.ctl, err = control.Listen(ctx, dir, m.Queue(), info, d.log); err != nil {
		return fmt.Errorf("mta: control socket: %w", err)
	}
	m.Start(ctx)
	d.goServe(func() error { return d.ctl.Serve(ctx) })
	if d.imap != nil {
		d.imap.Serve(ctx, func(_ string, serve func() error) { d.goServe(serve) })
	}
	d.log.Info("facteur mta running", "smtp", info.SMTP, "submission", info.Submission, "pop3", info.POP3,
		"imap", info.IMAP, "imaps", info.IMAPS, "dir", dir)
	return nil
}

// startPOP3 binds the POP3 listener and serves it.
func (d *daemon) startPOP3(ctx context.Context, dir string, cfg localmta.Config, addr string) error {
	if addr == "" || addr == "off" {
		return nil
	}
	tlsCfg, err := mtatls.ServerConfig(dir, d.mta.Hostname())
	if err != nil {
		return fmt.Errorf("mta: pop3 certificate: %w", err)
	}
	d.pop, err = pop3d.New(pop3d.Config{Store: cfg.Store, Users: cfg.Users, Hostname: d.mta.Hostname(), TLS: tlsCfg, Logger: d.log})
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	if d.ln, err = lc.Listen(ctx, "tcp", addr); err != nil {
		return fmt.Errorf("mta: pop3: %w", err)
	}
	if len(cfg.Users) == 0 {
		d.log.Warn("no mta/users file: POP3 and SMTP AUTH logins are refused")
	}
	d.goServe(func() error { return d.pop.Serve(ctx, d.ln) })
	return nil
}

// imapOffForMbox turns the IMAP server off by default when local mail
// goes to mbox spool files: it serves the Local account's Maildir folders,
// where that mail does not arrive. An address given explicitly stays.
func imapOffForMbox(opt mtaOptions) mtaOptions {
	if strings.EqualFold(opt.deliver, "mbox") && !opt.set["imap"] && opt.imap == mailsys.DefaultIMAP {
		opt.imap = mailsys.Off
	}
	return opt
}

// goServe runs a server loop until ctx ends; its error stops the daemon.
func (d *daemon) goServe(serve func() error) {
	d.wg.Go(func() {
		if err := serve(); err != nil {
			d.errc <- err
		}
	})
}

// addrs fills the listening addresses in info.
func (d *daemon) addrs(info *control.Info, ls []localmta.Listener) {
	for i, a := range d.mta.Addrs() {
		if ls[i].Submission {
			info.Submission = append(info.Submission, a)
		} else {
			info.SMTP = append(info.SMTP, a)
		}
	}
	if d.ln != nil {
		info.POP3 = d.ln.Addr().String()
	}
	info.IMAP, info.IMAPS = d.imap.Addrs()
}

// stop ends the servers and waits for them and for the MTA's deliveries.
func (d *daemon) stop(cancel context.CancelFunc) {
	cancel()
	if d.ln != nil {
		d.ln.Close()
	}
	if d.mta != nil {
		d.mta.Close()
	}
	d.imap.Close()
	d.wg.Wait()
	d.log.Info("facteur mta stopped")
}

// cmdMailq lists the queue like Postfix's mailq, reading the spool files
// directly: it works whether the MTA runs or not.
func cmdMailq(e *env) error {
	args, err := parseFlags(newFlags(e, "mailq"), e.args)
	if err != nil {
		return err
	}
	if len(args) != 0 {
		return usageError{"usage: facteur mailq"}
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	msgs, err := mailsys.ReadSpool(localmta.QueueDir(p.MTADir()), e.stderr)
	if err != nil {
		return fmt.Errorf("mailq: %w", err)
	}
	return printMailq(e.stdout, msgs)
}

const mailqTime = "2006-01-02 15:04:05"

// printMailq writes the listing: per message its id ('!' when held),
// size, arrival, next try and sender, then its pending recipients grouped
// by their last error, as Postfix does.
func printMailq(w io.Writer, msgs []queue.Message) error {
	if len(msgs) == 0 {
		_, err := fmt.Fprintln(w, "Mail queue is empty")
		return err
	}
	fmt.Fprintf(w, "%-17s %8s %-19s  %-19s  %s\n", "-Queue ID-", "--Size--", "---Arrival Time----", "-----Next Try------", "-Sender/Recipient-------")
	var total int64
	for _, m := range msgs {
		printMailqEntry(w, m)
		total += m.Size
	}
	_, err := fmt.Fprintf(w, "-- %d Kbytes in %d Request%s.\n", (total+1023)/1024, len(msgs), plural(len(msgs)))
	return err
}

func printMailqEntry(w io.Writer, m queue.Message) {
	id, next := m.ID, m.NextTry.Local().Format(mailqTime)
	if m.Held {
		id, next = id+"!", "(held)"
	}
	from := m.From
	if from == "" {
		from = "MAILER-DAEMON"
	}
	fmt.Fprintf(w, "%-17s %8d %-19s  %-19s  %s\n", id, m.Size, m.Arrived.Local().Format(mailqTime), next, from)
	indent := strings.Repeat(" ", 69) // under the sender
	var lastErr string
	for _, r := range m.Rcpts {
		if r.Status != queue.StatusPending {
			continue
		}
		if r.LastError != "" && r.LastError != lastErr {
			fmt.Fprintf(w, "%s(%s)\n", indent, r.LastError)
		}
		lastErr = r.LastError
		fmt.Fprintf(w, "%s%s\n", indent, r.Addr)
	}
	fmt.Fprintln(w)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

const queueUsage = "usage: facteur queue flush | delete ID... | hold ID... | release ID..."

// cmdQueue changes the queue: through the running MTA's control socket,
// or, when no MTA runs, in the spool itself under the MTA directory's lock.
func cmdQueue(e *env) error {
	args, err := parseFlags(newFlags(e, "queue"), e.args)
	if err != nil {
		return err
	}
	verb, ids, err := queueArgs(args)
	if err != nil {
		return err
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	c, lock, err := control.Connect(e.ctx, p.MTADir())
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if c != nil {
		return queueRemote(e, c, verb, ids)
	}
	defer lock.Unlock()
	return queueLocal(e, p.MTADir(), verb, ids)
}

func queueArgs(args []string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usageError{queueUsage}
	}
	verb, ids := args[0], args[1:]
	switch {
	case verb == "flush" && len(ids) == 0:
		return verb, nil, nil
	case verb != "delete" && verb != "hold" && verb != "release", len(ids) == 0:
		return "", nil, usageError{queueUsage}
	}
	for _, id := range ids {
		if !queue.ValidID(id) {
			return "", nil, usageError{fmt.Sprintf("queue: %q is not a queue id", id)}
		}
	}
	return verb, ids, nil
}

// queueDone is what the commands print, by verb.
var queueDone = map[string]string{"delete": "deleted", "hold": "held", "release": "released"}

// queueRemote asks the running MTA.
func queueRemote(e *env, c *control.Client, verb string, ids []string) error {
	if verb == "flush" {
		if err := c.Flush(e.ctx); err != nil {
			return fmt.Errorf("queue flush: %w", err)
		}
		_, err := fmt.Fprintln(e.stdout, "queue flushed: every message not held is being tried now")
		return err
	}
	ops := map[string]func(context.Context, string) error{"delete": c.Delete, "hold": c.Hold, "release": c.Release}
	return eachID(e, verb, ids, func(id string) error { return ops[verb](e.ctx, id) })
}

// queueLocal changes the spool of an MTA that does not run; the caller
// holds the lock.
func queueLocal(e *env, dir, verb string, ids []string) error {
	if verb == "flush" {
		return errors.New("queue flush: mail system is down (no facteur mta runs on this profile); messages are tried when it starts")
	}
	q, err := queue.Open(e.ctx, localmta.QueueDir(dir), queue.Options{Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	ops := map[string]func(string) error{"delete": q.Delete, "hold": q.Hold, "release": q.Release}
	return eachID(e, verb, ids, ops[verb])
}

// eachID runs op on every id, reports each, and fails if one failed.
func eachID(e *env, verb string, ids []string, op func(id string) error) error {
	var errs []error
	for _, id := range ids {
		err := op(id)
		switch {
		case errors.Is(err, queue.ErrNotFound):
			errs = append(errs, fmt.Errorf("queue %s: %s: no such message in the queue", verb, id))
		case err != nil:
			errs = append(errs, fmt.Errorf("queue %s: %s: %w", verb, id, err))
		default:
			fmt.Fprintf(e.stdout, "%s: %s\n", id, queueDone[verb])
		}
	}
	return errors.Join(errs...)
}
