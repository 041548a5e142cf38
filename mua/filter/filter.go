package filter

import (
	"context"
	"log/slog"

	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/submit"
)

// Actions change an account's stored messages: the journaled Syncer for an
// IMAP account, the store for the others.
type Actions interface {
	SetFlags(ctx context.Context, ids []int64, add, del mailstore.Flags) error
	Move(ctx context.Context, ids []int64, dest string) error
	Copy(ctx context.Context, ids []int64, dest string) ([]int64, error)
	Delete(ctx context.Context, ids []int64) error
}

// Remote returns the actions of an IMAP account: its journaled Syncer, so
// that every change reaches the server at the next sync. This is the one
// place the filters choose that route; mua's message service (issue 13)
// will take it over.
func Remote(sy *imapsync.Syncer) Actions { return sy }

// Sender sends a redirect or a vacation reply through an account
// (*submit.Client is one).
type Sender interface {
	Submit(ctx context.Context, a account.Account, env submit.Envelope, raw []byte) error
}

// Options are what the filters need.
type Options struct {
	Store *mailstore.Store
	// Scripts are the profile's filters (sieve.OpenScripts of its
	// filters directory).
	Scripts *sieve.Scripts
	// Sender sends redirects and vacation replies; nil keeps the message
	// and logs that they were not sent.
	Sender Sender
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) log() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}

// HostOf is where an account's script runs, which decides the extensions
// it may use: the Local account's at delivery, the others' after a sync.
func HostOf(acct string) sieve.Host {
	if acct == LocalAccount {
		return sieve.Delivery
	}
	return sieve.Client
}

// LocalAccount is the account of local mail, whose script the MDA runs.
const LocalAccount = "Local"

// Stats count what the filters did.
type Stats struct {
	Messages int // messages the script ran on
	Moved    int // filed into another folder
	Copied   int // copies filed (:copy, or more than one fileinto)
	Flagged  int // messages whose flags changed
	Deleted  int // discarded (to the Trash)
	Sent     int // redirects and vacation replies sent
	Failed   int // runs that failed: the message stayed where it was
}

func (s *Stats) add(o Stats) {
	s.Messages += o.Messages
	s.Moved += o.Moved
	s.Copied += o.Copied
	s.Flagged += o.Flagged
	s.Deleted += o.Deleted
	s.Sent += o.Sent
	s.Failed += o.Failed
}
