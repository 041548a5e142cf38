package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/control"
	"facteur/localmta/mailsys"
	"facteur/localmta/queue"

	"github.com/emersion/go-smtp"
)

const sendmailUsage = "usage: facteur sendmail [-t] [-f sender] [-F name] [-i] [-oi] [--] [rcpt...]"

// sendmailOptions are sendmail(8)'s options that Facteur reads.
type sendmailOptions struct {
	extract  bool   // -t: recipients from To, Cc and Bcc
	dotOK    bool   // -i, -oi: a lone '.' line does not end the input
	sender   string // -f, -r: envelope sender; "<>" is the null sender
	fullName string // -F: the sender's name, for a From field Facteur adds
	rcpts    []string
}

// parseSendmailArgs reads sendmail's command line: single-dash options
// whose value may be glued ("-ffred@x") or apart ("-f fred@x"); the other
// -o and -B/-N/-R/-V/-X options of mutt, git send-email and friends are
// accepted and ignored.
func parseSendmailArgs(args []string) (sendmailOptions, error) {
	var opt sendmailOptions
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			opt.rcpts = append(opt.rcpts, args[i+1:]...)
			return opt, nil
		case !strings.HasPrefix(a, "-") || a == "-":
			opt.rcpts = append(opt.rcpts, a)
		case a == "-t":
			opt.extract = true
		case a == "-i" || a == "-oi":
			opt.dotOK = true
		case strings.HasPrefix(a, "-o") || a == "-bm" || a == "-v" || a == "-U":
			// delivery mode, error mode...: no meaning here
		case len(a) >= 2 && strings.ContainsRune("frFBNRVX", rune(a[1])):
			v, next, err := optionValue(args, i)
			if err != nil {
				return opt, err
			}
			i = next
			opt.set(a[1], v)
		default:
			return opt, usageError{fmt.Sprintf("sendmail: unknown option %s\n%s", a, sendmailUsage)}
		}
	}
	return opt, nil
}

// optionValue returns the value of option args[i], glued or next.
func optionValue(args []string, i int) (string, int, error) {
	if len(args[i]) > 2 {
		return args[i][2:], i, nil
	}
	if i+1 >= len(args) {
		return "", i, usageError{fmt.Sprintf("sendmail: %s needs a value\n%s", args[i], sendmailUsage)}
	}
	return args[i+1], i + 1, nil
}

func (o *sendmailOptions) set(opt byte, v string) {
	switch opt {
	case 'f', 'r':
		o.sender = v
	case 'F':
		o.fullName = v
	}
}

// cmdSendmail is a sendmail-compatible injector: mutt's
// `set sendmail="facteur sendmail"` works with it. It reads the message on
// stdin and hands it to the running MTA over SMTP on loopback, or, when no
// MTA runs, picks it up into the spool for `facteur mta` with the same
// checks (localmta.Pickup). A refused recipient is reported and the
// message goes to the others, as sendmail does; the exit status is
// sendmail's (sysexits.h, see sendmailExit).
func cmdSendmail(e *env) error {
	opt, err := parseSendmailArgs(e.args)
	if err != nil {
		return err
	}
	if !opt.extract && len(opt.rcpts) == 0 {
		return usageError{"sendmail: no recipient: give them on the command line or use -t\n" + sendmailUsage}
	}
	env, msg, err := buildSubmission(e, opt)
	if err != nil {
		return err
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	how, refused, err := inject(e.ctx, p.MTADir(), env, msg, e.stderr)
	if err != nil {
		return sendmailFailed(err, refused)
	}
	fmt.Fprintln(e.stderr, "facteur sendmail: "+how)
	if len(refused) > 0 {
		return &refusedError{refused: refused}
	}
	return nil
}

// submission is the SMTP envelope of a message.
type submission struct {
	from  string
	rcpts []string
}

// buildSubmission reads the message and works out its envelope.
func buildSubmission(e *env, opt sendmailOptions) (submission, []byte, error) {
	var env submission
	from, err := senderOf(opt.sender)
	if err != nil {
		return env, nil, usageError{err.Error()}
	}
	env.from = from
	for _, r := range opt.rcpts {
		addrs, err := rcptArg(r)
		if err != nil {
			return env, nil, usageError{err.Error()}
		}
		env.rcpts = append(env.rcpts, addrs...)
	}
	raw, err := readSendmailInput(e.stdin, opt.dotOK)
	if err != nil {
		return env, nil, err
	}
	fields, body := splitHeader(raw)
	if opt.extract {
		hdr, err := headerRecipients(fields)
		if err != nil {
			return env, nil, err
		}
		env.rcpts = append(env.rcpts, hdr...)
	}
	env.rcpts = dedupeFold(env.rcpts)
	if len(env.rcpts) == 0 {
		return env, nil, fmt.Errorf("sendmail: no recipient addresses found in the message header")
	}
	return env, prepareMessage(fields, body, from, opt.fullName, time.Now()), nil
}

// senderOf reads -f: empty means the Local account's address, "<>" the
// null sender of bounces.
func senderOf(s string) (string, error) {
	switch strings.TrimSpace(s) {
	case "":
		return localAddress(), nil
	case "<>":
		return "", nil
	}
	return envelopeAddress(s)
}

// rcptArg reads one recipient argument, which may be a list "a@x, b@y".
func rcptArg(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		a, err := envelopeAddress(part)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func dedupeFold(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, s) }) {
			out = append(out, s)
		}
	}
	return out
}

// inject submits to the running MTA, or picks the message up into the
// spool when none runs (holding the MTA directory's lock, so that an MTA
// starting meanwhile waits and then finds the message). It says which,
// and returns the recipients that were refused.
func inject(ctx context.Context, dir string, env submission, msg []byte, stderr io.Writer) (string, []*localmta.RcptError, error) {
	c, lock, err := control.Connect(ctx, dir)
	if err != nil {
		return "", nil, err
	}
	if c != nil {
		addr, err := smtpAddr(c.Info())
		if err != nil {
			return "", nil, err
		}
		refused, err := sendSMTP(ctx, addr, env, msg)
		if err != nil {
			return "", refused, err
		}
		return "sent over SMTP to the running MTA at " + addr, refused, nil
	}
	defer lock.Unlock()
	id, refused, err := pickup(ctx, dir, env, msg, stderr)
	if err != nil {
		return "", refused, err
	}
	return fmt.Sprintf("no MTA running; queued as %s in %s for delivery when `facteur mta` starts", id, localmta.QueueDir(dir)), refused, nil
}

// smtpAddr picks the running MTA's SMTP listener, on loopback.
func smtpAddr(info control.Info) (string, error) {
	if len(info.SMTP) == 0 {
		return "", fmt.Errorf("the running MTA has no SMTP listener")
	}
	host, port, err := net.SplitHostPort(info.SMTP[0])
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// sendSMTP submits a message over SMTP (RFC 5321), with SMTPUTF8 and
// 8BITMIME when the message needs them. A recipient refused at RCPT TO
// is returned and the message goes to the others; when all are refused
// nothing is sent.
func sendSMTP(ctx context.Context, addr string, env submission, msg []byte) ([]*localmta.RcptError, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return nil, err
	}
	opts := &smtp.MailOptions{UTF8: !isASCII(env.from + strings.Join(env.rcpts, ""))}
	if !isASCII(msg) {
		opts.Body = smtp.Body8BitMIME
	}
	if err := c.Mail(env.from, opts); err != nil {
		return nil, err
	}
	var refused []*localmta.RcptError
	for _, r := range env.rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			refused = append(refused, &localmta.RcptError{Rcpt: r, Err: err})
		}
	}
	if len(refused) == len(env.rcpts) {
		return refused, refused[0]
	}
	if err := sendData(c, msg); err != nil {
		return refused, err
	}
	return refused, c.Quit()
}

// sendData sends the message after DATA.
func sendData(c *smtp.Client, msg []byte) error {
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

// pickup queues the message into the spool of an MTA that does not run,
// with the Received field of a local pick-up and the checks of the SMTP
// server, under the configuration `facteur mta` would load; the caller
// holds the lock.
func pickup(ctx context.Context, dir string, env submission, msg []byte, stderr io.Writer) (string, []*localmta.RcptError, error) {
	cfg, err := pickupConfig(dir)
	if err != nil {
		return "", nil, err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	return localmta.Pickup(ctx, cfg, localmta.PickupMessage{
		From: env.from, Rcpts: env.rcpts, UTF8: !isASCII(env.from + strings.Join(env.rcpts, "")),
		Trace: func(id string, rcpts []string) string { return pickupReceived(id, rcpts, time.Now()) },
		Body:  msg,
	})
}

// pickupConfig is the configuration `facteur mta` loads from the MTA
// directory with no command-line option: its local domains, users and
// aliases decide which local recipients exist.
func pickupConfig(dir string) (localmta.Config, error) {
	cfg, _, err := mailsys.DefaultSettings(localLogin()).Loader()(dir, mailsys.Addrs{})
	return cfg, err
}

// pickupReceived is the trace field of a message that entered the spool
// without SMTP, like Postfix's "by host (Postfix, from userid N)".
func pickupReceived(id string, rcpts []string, now time.Time) string {
	return queue.PickupReceived("", "sendmail", localLogin(), id, rcpts, now)
}
