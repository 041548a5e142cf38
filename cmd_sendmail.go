package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"facteur/internal/profile"
	"facteur/internal/sendmail"
	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/localmta/mailsys"
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
	how, refused, err := inject(e.ctx, p.MTADir(), "sendmail", env, msg, e.stderr)
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
	raw, err := sendmail.ReadInput(e.stdin, opt.dotOK)
	if err != nil {
		return env, nil, err
	}
	fields, body := sendmail.SplitHeader(raw)
	if opt.extract {
		hdr, err := sendmail.HeaderRecipients(fields)
		if err != nil {
			return env, nil, err
		}
		env.rcpts = append(env.rcpts, hdr...)
	}
	env.rcpts = dedupeFold(env.rcpts)
	if len(env.rcpts) == 0 {
		return env, nil, fmt.Errorf("sendmail: no recipient addresses found in the message header")
	}
	hdrFrom := from
	if hdrFrom == "" { // the null sender: From names the local user
		hdrFrom = localAddress()
	}
	return env, sendmail.Prepare(fields, body, hdrFrom, opt.fullName, time.Now()), nil
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
	return sendmail.EnvelopeAddress(s)
}

// rcptArg reads one recipient argument, which may be a list "a@x, b@y".
func rcptArg(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		a, err := sendmail.EnvelopeAddress(part)
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

// inject hands the message to the local mail system (localmta/handoff):
// the running MTA over SMTP, or, when none runs, the spool, with the
// checks of the SMTP server either way; program names the command in the
// Received field of a pick-up. It says which, and returns the recipients
// that were refused.
func inject(ctx context.Context, dir, program string, env submission, msg []byte, stderr io.Writer) (string, []*localmta.RcptError, error) {
	c := &handoff.Client{Dir: dir, Config: func() (localmta.Config, error) { return pickupConfig(dir) },
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
	r, err := c.Submit(ctx, handoff.Submission{From: env.from, Rcpts: env.rcpts, Body: msg, Program: program, User: localLogin()})
	if err != nil {
		return "", r.Refused, err
	}
	return r.String(), r.Refused, nil
}

// pickupConfig is the configuration `facteur mta` loads from the MTA
// directory with no command-line option: its local domains, users and
// aliases decide which local recipients exist.
func pickupConfig(dir string) (localmta.Config, error) {
	cfg, _, err := mailsys.DefaultSettings(localLogin()).Loader()(dir, mailsys.Addrs{})
	return cfg, err
}
