package watch

import (
	"time"

	"facteur/mua/account"
)

// State is what an account is doing.
type State int

// The states of an account.
const (
	// Starting: not checked yet.
	Starting State = iota
	// Checking: a sync or a collection runs.
	Checking
	// Waiting: up to date, waiting for new mail (IDLE or the next poll).
	Waiting
	// Failed: the last check failed; a retry is scheduled.
	Failed
	// Stopped: the watcher ended.
	Stopped
)

func (s State) String() string {
	switch s {
	case Starting:
		return "starting"
	case Checking:
		return "checking"
	case Waiting:
		return "waiting"
	case Failed:
		return "failed"
	case Stopped:
		return "stopped"
	}
	return "unknown"
}

// Status is the state of one account.
type Status struct {
	Account  string
	Protocol account.Protocol
	State    State
	// Idle is true while an IMAP account waits with IDLE (push), false
	// when it polls.
	Idle bool
	// Done and Total count the messages of the running check.
	Done, Total int
	// LastCheck is the end of the last successful check, LastNew what it
	// brought.
	LastCheck time.Time
	LastNew   int
	// LastError is the error of the last failed check, at LastErrorAt; it
	// stays after a later success so the user can still read it, and
	// State tells whether it is current.
	LastError   error
	LastErrorAt time.Time
	// Retry is when a failed account tries again.
	Retry time.Time
	// LastPush is the end of the last replay that Push asked for, Pushed
	// the local actions (flags, moves, deletions) it sent, PushError its
	// failure: the actions then wait for the next check.
	LastPush  time.Time
	Pushed    int
	PushError error
	// Refused names the keywords that the server did not keep (a
	// *imapsync.KeywordsRefusedError), at RefusedAt: the last check or
	// push that sent some and saw them refused. They stay on this
	// computer, and are not sent again; it stays after later checks, as
	// LastError does.
	Refused   error
	RefusedAt time.Time
}

// noteRefused records keywords refused at t (nothing when refused is
// nil: an earlier refusal stays).
func (s *Status) noteRefused(refused error, t time.Time) {
	if refused != nil {
		s.Refused, s.RefusedAt = refused, t
	}
}

// Result is what one check of an account did.
type Result struct {
	Account string
	New     int
	Err     error
}
