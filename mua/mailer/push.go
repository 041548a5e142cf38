package mailer

import (
	"context"
	"errors"

	"facteur/mua/imapsync"
)

// push asks the background watcher, when it runs (Watch), to send the
// journals of ch's accounts now, over the connections it keeps; without
// one the front door calls Replay.
func (m *Mailer) push(ch Change) {
	w := m.Watcher()
	if w == nil {
		return
	}
	for _, name := range ch.Journaled {
		if w.Push(name) == nil {
			continue
		}
		// an account added since the watcher read them: its first check,
		// which Reload starts, replays the journal
		if err := m.Reload(); err == nil {
			w.Push(name)
		}
	}
}

// Replayed is what Replay did for one IMAP account.
type Replayed struct {
	Account string
	Sent    int // actions the server took
	// Pending counts the actions left in the journal; they go with the
	// next sync (or the next Replay).
	Pending int
	// Err is why the server did not get them now (it does not answer,
	// the login failed...).
	Err error
	// Refused, a *imapsync.KeywordsRefusedError, names the keywords the
	// server took but does not keep: they stay on this computer only.
	Refused error
}

// Replay sends the journals of the IMAP accounts named to their servers
// now, each over a connection of its own, and says what each server took
// and what waits. It is the command line's push (Push is the window's).
func (m *Mailer) Replay(ctx context.Context, names []string) []Replayed {
	var out []Replayed
	for _, name := range names {
		r := Replayed{Account: name}
		r.Sent, r.Err = m.replay(ctx, name)
		if errors.Is(r.Err, imapsync.ErrKeywordRefused) {
			r.Refused, r.Err = r.Err, nil
		}
		r.Pending, _ = m.state.Pending(ctx, name)
		out = append(out, r)
	}
	return out
}

func (m *Mailer) replay(ctx context.Context, name string) (int, error) {
	return m.withOnline(ctx, name, (*imapsync.Syncer).Replay)
}

// withOnline runs fn over a connection of its own to the server of the
// IMAP account name; not an IMAP account: nothing to do.
func (m *Mailer) withOnline(ctx context.Context, name string, fn func(*imapsync.Syncer, context.Context) (int, error)) (int, error) {
	a, ok, err := m.imapAccount(name)
	if err != nil || !ok {
		return 0, err
	}
	sy, err := m.online(ctx, a, imapsync.Options{})
	if err != nil {
		return 0, err
	}
	defer sy.Close()
	return fn(sy, ctx)
}

// Pending counts the local actions of an IMAP account that its server has
// not taken yet.
func (m *Mailer) Pending(ctx context.Context, name string) (int, error) {
	return m.state.Pending(ctx, name)
}
