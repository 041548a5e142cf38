package queue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Status is where a recipient stands.
type Status string

// The statuses of a recipient.
const (
	StatusPending   Status = "pending"   // not delivered yet; retried
	StatusDelivered Status = "delivered" // accepted by the next hop or the MDA
	StatusFailed    Status = "failed"    // permanent failure or expiry: bounced
)

// Rcpt is one recipient of a queued message and its delivery state.
type Rcpt struct {
	Addr      string    `json:"addr"`
	ORcpt     string    `json:"orcpt,omitempty"`  // original recipient before alias expansion (RFC 3461 ORCPT)
	Notify    []string  `json:"notify,omitempty"` // RFC 3461 NOTIFY: NEVER, or SUCCESS, FAILURE, DELAY
	Status    Status    `json:"status"`
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	Code      int       `json:"code,omitempty"`     // SMTP reply code of the last attempt
	Enhanced  string    `json:"enhanced,omitempty"` // its enhanced status code, "5.1.1"
	Remote    string    `json:"remote,omitempty"`   // host that answered last
	Updated   time.Time `json:"updated,omitzero"`
}

// Message is the state of one queued message: its envelope, per-recipient
// state and schedule. It is stored as JSON beside the message file.
type Message struct {
	Version   int       `json:"version"`
	ID        string    `json:"id"`
	From      string    `json:"from"` // reverse-path; "" for the null sender <> of bounces
	Rcpts     []Rcpt    `json:"rcpts"`
	Arrived   time.Time `json:"arrived"`
	NextTry   time.Time `json:"next_try"`
	Attempts  int       `json:"attempts,omitempty"`
	Held      bool      `json:"held,omitempty"`
	Size      int64     `json:"size"`
	EnvID     string    `json:"envid,omitempty"` // RFC 3461 ENVID
	Ret       string    `json:"ret,omitempty"`   // RFC 3461 RET: FULL or HDRS
	UTF8      bool      `json:"smtputf8,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	// DelayWarned records that the sender got the delay warning of
	// Options.DelayWarning.
	DelayWarned bool `json:"delay_warned,omitempty"`
	// Relay, when set, is the smarthost of this message alone: the
	// outbox of a mail account, whose SMTP server takes it (see
	// localmta.Config.Outbox). No password is kept here.
	Relay *Relay `json:"relay,omitempty"`
}

// Relay names the submission server of one queued message: the mail
// account whose SMTP settings and password the outbox uses, and that
// server's "host:port" for listings.
type Relay struct {
	Account string `json:"account"`
	Server  string `json:"server,omitempty"`
	// Rest: the server took the message already for its other
	// recipients (these were refused for now), and its copy is in Sent.
	Rest bool `json:"rest,omitempty"`
}

// Pending returns the recipients still to deliver.
func (m *Message) Pending() []string {
	var out []string
	for _, r := range m.Rcpts {
		if r.Status == StatusPending {
			out = append(out, r.Addr)
		}
	}
	return out
}

// Done reports whether no recipient is pending.
func (m *Message) Done() bool { return len(m.Pending()) == 0 }

// clone returns a deep copy.
func (m *Message) clone() Message {
	c := *m
	c.Rcpts = append([]Rcpt(nil), m.Rcpts...)
	return c
}

// stateVersion is the version of the states this queue writes: 2, the
// state inside the queue file (or in ID.json once it changed); version 1
// was ID.json beside a raw ID.msg, migrated on Open.
const stateVersion = 2

// ErrBadState is wrapped by ParseState's errors.
var ErrBadState = errors.New("queue: bad state file")

// maxStateSize bounds a state file (a message with many recipients).
const maxStateSize = 16 << 20

// ParseState reads a state file and checks it: a valid queue ID, at least
// one recipient, known statuses.
func ParseState(data []byte) (*Message, error) {
	if len(data) > maxStateSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadState, len(data))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Message
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadState, err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Message) check() error {
	switch {
	case m.Version < 1 || m.Version > stateVersion:
		return fmt.Errorf("%w: version %d", ErrBadState, m.Version)
	case !ValidID(m.ID):
		return fmt.Errorf("%w: id %q", ErrBadState, m.ID)
	case len(m.Rcpts) == 0:
		return fmt.Errorf("%w: no recipient", ErrBadState)
	case m.Size < 0:
		return fmt.Errorf("%w: negative size", ErrBadState)
	}
	for _, r := range m.Rcpts {
		switch r.Status {
		case StatusPending, StatusDelivered, StatusFailed:
		default:
			return fmt.Errorf("%w: status %q", ErrBadState, r.Status)
		}
		if r.Addr == "" {
			return fmt.Errorf("%w: empty recipient", ErrBadState)
		}
	}
	return nil
}

// marshal returns the JSON of a state file.
func (m *Message) marshal() ([]byte, error) {
	m.Version = stateVersion
	return json.MarshalIndent(m, "", "  ")
}

// marshalLine returns the state as one line of JSON, for the queue file.
func (m *Message) marshalLine() ([]byte, error) {
	m.Version = stateVersion
	return json.Marshal(m)
}
