package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"facteur/internal/mtasts"
)

// ErrNoHeader is returned by Analyze when the input holds no header field
// at all (an empty file, or something that is not a message).
var ErrNoHeader = errors.New("inspect: no header field in the message")

// Options tune Analyze and the later Resolve.
type Options struct {
	// Envelope, when not nil, is the envelope Facteur's MTA recorded for the
	// message (mailstore.Envelope); it wins and is marked exact.
	Envelope *KnownEnvelope
	// MaxSize caps the bytes read from the message (the header and what
	// DKIM needs of the body). 0 means 64 MiB.
	MaxSize int64
	// LookupTimeout bounds each DNS look-up of Resolve. 0 means 5 s.
	LookupTimeout time.Duration
	// LookupTXT answers the TXT queries of the DKIM verification (RFC 6376
	// §3.6.2). Nil means through the resolver given to Resolve (its TXT
	// method, cached with the other answers); never the system resolver
	// behind the caller's back. NewTXTLookup builds one for another server.
	LookupTXT TXTLookup
	// MTASTS fetches the MTA-STS policies of the recipients' domains (RFC
	// 8461); nil means a client of the resolver given to Resolve, with a
	// fetch bounded by LookupTimeout.
	MTASTS *mtasts.Client
}

// Report is everything the inspector says about one message. Analyze fills
// it at once; Resolve adds DNS.
type Report struct {
	Schema   int           `json:"schema"` // SchemaVersion
	Envelope Envelope      `json:"envelope"`
	Route    Route         `json:"route"`
	Headers  Headers       `json:"headers"`
	Auth     []AuthResults `json:"authentication"`
	DNS      DNSReport     `json:"dns"`
	Findings []Finding     `json:"findings"`

	raw string // the message, for DKIM
	opt Options
}

const defaultMaxSize = 64 << 20

// Analyze reads a message (RFC 5322, LF or CRLF, an mbox From line
// allowed) and builds its report. It does no network I/O. Its error is
// the read error, or ErrNoHeader; any other problem is a Finding.
func Analyze(raw io.Reader, opt Options) (*Report, error) {
	max := opt.MaxSize
	if max <= 0 {
		max = defaultMaxSize
	}
	b, err := readAll(raw, max)
	if err != nil {
		return nil, fmt.Errorf("inspect: reading the message: %w", err)
	}
	h := readHeader(b)
	if len(h.fields) == 0 {
		return nil, ErrNoHeader
	}
	r := &Report{Schema: SchemaVersion, raw: b, opt: opt, Auth: parseAuthResults(&h)}
	r.Headers = buildHeaders(&h)
	r.Route = buildRoute(h.all("Received"), r.Headers.Date)
	r.Envelope = buildEnvelope(&h, r.Route, opt.Envelope)
	if r.Findings = findings(&h, r); r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Auth == nil {
		r.Auth = []AuthResults{}
	}
	if r.Envelope.RcptTo == nil {
		r.Envelope.RcptTo = []string{}
	}
	return r, nil
}

// readAll reads at most max bytes of r. A reader that holds the message in
// memory (bytes.Reader, strings.Reader, bytes.Buffer) writes it at once
// into a string of its size: that one copy is all the report keeps, the
// header's fields being slices of it.
func readAll(r io.Reader, max int64) (string, error) {
	var b strings.Builder
	if n, ok := inMemoryLen(r); ok && n <= max {
		b.Grow(int(n))
		_, err := r.(io.WriterTo).WriteTo(&b)
		return b.String(), err
	}
	if sized, ok := r.(interface{ Len() int }); ok {
		b.Grow(int(min(int64(sized.Len()), max)) + 1) // +1: room to see the end
	}
	_, err := io.Copy(&b, io.LimitReader(r, max))
	return b.String(), err
}

// inMemoryLen returns the length of the readers whose Len is exact and
// whose WriteTo writes just that.
func inMemoryLen(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case *bytes.Reader:
		return int64(r.Len()), true
	case *strings.Reader:
		return int64(r.Len()), true
	case *bytes.Buffer:
		return int64(r.Len()), true
	}
	return 0, false
}

// hasField tells whether the message has a field named name.
func (r *Report) hasField(name string) bool {
	for _, f := range r.Headers.Fields {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}
