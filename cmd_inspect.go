package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"facteur/internal/dnsmx"
	"facteur/mailstore"
	"facteur/mua/inspect"
)

const inspectUsage = "usage: facteur inspect [--json] [--dns SERVER[:PORT]] [--no-dns] [--timeout 5s] ID|FILE|-"

// inspectFlags are the options of `facteur inspect`.
type inspectFlags struct {
	json    bool
	dns     string
	noDNS   bool
	timeout time.Duration
}

// cmdInspect runs the header inspector on one message: an index id (as
// `facteur search --json` prints it; the exact envelope recorded by the
// mailstore is used), a message file, or "-" for standard input. It prints
// the text report, then the DNS answers as they arrive; or, with --json,
// the whole report after DNS.
func cmdInspect(e *env) error {
	fs := newFlags(e, "inspect")
	var f inspectFlags
	fs.BoolVar(&f.json, "json", false, "print the report as JSON (after the DNS look-ups)")
	fs.StringVar(&f.dns, "dns", "", "DNS server to ask, SERVER[:PORT] (default: the system's)")
	fs.BoolVar(&f.noDNS, "no-dns", false, "no DNS look-ups")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "bound on each DNS look-up")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 || f.timeout <= 0 {
		return usageError{inspectUsage}
	}
	r, err := analyzeArg(e, args[0], f.timeout)
	if err != nil {
		return err
	}
	if f.json {
		if !f.noDNS {
			r.Resolve(e.ctx, newResolver(f), nil)
		}
		return r.WriteJSON(e.stdout)
	}
	if err := r.WriteText(e.stdout); err != nil || f.noDNS {
		return err
	}
	return streamDNS(e, r, f)
}

// analyzeArg reads the message an argument names and analyses it.
func analyzeArg(e *env, arg string, timeout time.Duration) (*inspect.Report, error) {
	opt := inspect.Options{LookupTimeout: timeout}
	var src io.Reader
	switch id, isID := indexID(arg); {
	case arg == "-":
		src, arg = e.stdin, "standard input"
	case isID:
		raw, known, err := readIndexed(e, id)
		if err != nil {
			return nil, err
		}
		src, opt.Envelope = bytes.NewReader(raw), known
		arg = "message " + arg
	default:
		fh, err := os.Open(arg)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		src = fh
	}
	r, err := inspect.Analyze(src, opt)
	if errors.Is(err, inspect.ErrNoHeader) {
		return nil, fmt.Errorf("%s is not a mail message: no header field", arg)
	}
	return r, err
}

// indexID reads an index id: an argument of digits only (write ./123 for a
// file named 123).
func indexID(arg string) (int64, bool) {
	for i := 0; i < len(arg); i++ {
		if arg[i] < '0' || arg[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	return id, err == nil
}

// readIndexed reads a stored message and the envelope that Facteur's MTA
// recorded for it, if any.
func readIndexed(e *env, id int64) ([]byte, *inspect.KnownEnvelope, error) {
	s, err := openStoreToRead(e)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	sum, err := s.Get(e.ctx, id)
	if errors.Is(err, mailstore.ErrNotFound) {
		return nil, nil, fmt.Errorf("no message with id %d in the index (ids: facteur search --json QUERY)", id)
	}
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.Open(e.ctx, id)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		return nil, nil, err
	}
	var known *inspect.KnownEnvelope
	if m := sum.Envelope; m != nil && m.Recorded {
		known = &inspect.KnownEnvelope{MailFrom: m.MailFrom, RcptTo: m.RcptTo}
	}
	return raw, known, nil
}

func newResolver(f inspectFlags) *dnsmx.Resolver {
	return dnsmx.New(dnsmx.Config{Server: f.dns, Timeout: f.timeout})
}

// streamDNS resolves and prints each answer as it arrives.
func streamDNS(e *env, r *inspect.Report, f inspectFlags) error {
	server := f.dns
	if server == "" {
		server = "system resolver"
	}
	fmt.Fprintf(e.stdout, "\nDNS look-ups (%s)\n", server)
	var werr error
	r.Resolve(e.ctx, newResolver(f), func(u inspect.DNSUpdate) {
		if werr == nil {
			_, werr = fmt.Fprintf(e.stdout, "  %s\n", u.Text())
		}
	})
	return werr
}
