package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/localmta/mailsys"
	"facteur/localmta/queue"
	"facteur/mua/mailer"
)

const mtaUsage = "mta [--smtp ADDR] [--submission ADDR] [--pop3 ADDR] [--imap ADDR] [--imaps ADDR] [--hostname H] [--dns SERVER]\n" +
	"           [--deliver maildir|mbox] [--relay-nets CIDR,...] [--source-ip IP] [--mx-port PORT]"

// cmdMTA runs the profile's mail system (package localmta/mailsys: the
// MTA, its POP3 and IMAP servers and the control socket, as the GUI runs
// it) in the foreground, like `postfix start-fg`, until SIGINT or SIGTERM.
func cmdMTA(e *env) error {
	set, err := parseMTAFlags(e)
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
	store, _, err := openStore(e)
	if err != nil {
		return err
	}
	defer store.Close()
	m, err := openMailer(e, p, store)
	if err != nil {
		return err
	}
	defer m.Close()
	sys := mailsys.Start(ctx, mailsys.Options{Dir: p.MTADir(), Load: mtaLoader(m, set),
		Store: store, Logger: log, Exclusive: true, Version: Version})
	defer func() {
		sys.Close()
		log.Info("facteur mta stopped")
	}()
	st := sys.Status()
	if st.State == mailsys.Failed {
		return st.Err
	}
	log.Info("facteur mta running", "smtp", st.SMTP, "submission", st.Submission, "pop3", st.POP3,
		"imap", st.IMAP, "imaps", st.IMAPS, "dir", p.MTADir())
	select {
	case <-ctx.Done():
		return nil
	case err := <-sys.Failed():
		return err
	}
}

// mtaLoader reads the mail system's configuration as set says (the
// command line, then the profile's mta/ files), and gives it the outbox of
// the remote accounts (Mailer.Outbox: their queued messages leave through
// this MTA, their copies in Sent reach their servers): the GUI and `facteur
// mta` load it the same way.
func mtaLoader(m *mailer.Mailer, set mailsys.Settings) mailsys.Loader {
	load := set.Loader()
	return func(dir string, addrs mailsys.Addrs) (localmta.Config, mailsys.Addrs, error) {
		cfg, a, err := load(dir, addrs)
		cfg.Outbox = m.Outbox()
		return cfg, a, err
	}
}

func parseMTAFlags(e *env) (mailsys.Settings, error) {
	set := mailsys.DefaultSettings(localLogin())
	fs := newFlags(e, "mta")
	for _, f := range mailsys.Flags {
		fs.StringVar(f.Field(&set), f.Name, f.Value, f.Usage)
	}
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: facteur "+mtaUsage)
		fs.PrintDefaults()
		fmt.Fprint(e.stderr, mailsys.FilesHelp)
	}
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return set, err
	}
	if len(args) != 0 || set.SMTP == "" || set.SMTP == mailsys.Off {
		return set, usageError{"usage: facteur " + mtaUsage}
	}
	fs.Visit(func(f *flag.Flag) { set.Set[f.Name] = true })
	return set, nil
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

// cmdQueue changes the queue through the profile's spool client
// (localmta/handoff): the running MTA's control socket, or, when no MTA
// runs, the spool itself under the MTA directory's lock.
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
	c := &handoff.Client{Dir: p.MTADir(), Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if verb == "flush" {
		return queueFlush(e, c)
	}
	var errs []error
	_, err = c.Change(e.ctx, queueOps[verb], ids, func(id string, err error) {
		switch {
		case errors.Is(err, queue.ErrNotFound):
			errs = append(errs, fmt.Errorf("queue %s: %s: no such message in the queue", verb, id))
		case err != nil:
			errs = append(errs, fmt.Errorf("queue %s: %s: %w", verb, id, err))
		default:
			fmt.Fprintf(e.stdout, "%s: %s\n", id, queueDone[verb])
		}
	})
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	return errors.Join(errs...)
}

func queueFlush(e *env, c *handoff.Client) error {
	_, err := c.Flush(e.ctx)
	switch {
	case errors.Is(err, handoff.ErrNotRunning):
		return fmt.Errorf("queue flush: mail system is down (%w)", err)
	case err != nil:
		return fmt.Errorf("queue flush: %w", err)
	}
	_, err = fmt.Fprintln(e.stdout, "queue flushed: every message not held is being tried now")
	return err
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

var queueOps = map[string]handoff.Op{"delete": handoff.Delete, "hold": handoff.Hold, "release": handoff.Release}
