// Package mailer is what a user does with mail, once, for both front doors
// of Facteur: the window (package app) and the command line (package main).
// A Mailer works over one profile: its store, its accounts and their
// secrets, its IMAP sync state and its local mail system. A front door
// parses what the user asked, calls the Mailer, and shows the result.
//
//   - Message actions (SetFlags, SetKeywords, Move, Copy, Delete, Expunge, Empty) are
//     routed by the account that holds each message: for an IMAP account
//     through its imapsync.Syncer, which changes the store at once and
//     journals the change for the server (UID STORE, UID MOVE, UID COPY,
//     APPEND, UID EXPUNGE: RFC 9051, RFC 6851, RFC 4315); for POP3 and the
//     Local account in the store alone. The journal reaches the server at
//     once when it answers (Push: the background watcher's connection, or
//     Replay), else with the next sync.
//   - Sending (Send): the message goes through the account's SMTP server
//     (mua/submit), or into the outbox, the local MTA's queue, when the
//     server cannot take it now; the Local account's mail goes to the local
//     MTA (localmta/handoff); the copy goes into the account's Sent folder,
//     on its IMAP server too (APPEND); the draft goes, on its server too.
//   - Account lifecycle: AddAccount, UpdateAccount, TestAccount and
//     RemoveAccount, which forgets every secret of the account.
//   - Sync and Check (IMAP sync, POP3 collection), FetchBody (a message
//     synced headers first), and Watch, the background checks of the
//     window (mua/watch).
package mailer

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"facteur/internal/profile"
	"facteur/localmta/handoff"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/oauth"
	"facteur/mua/submit"
	"facteur/mua/watch"
)

// LocalAccount is the name of the Local account of the store: the mail of
// the local MTA, imports, and what no remote account holds.
const LocalAccount = submit.LocalAccount

// Options configure a Mailer.
type Options struct {
	// Profile is the profile directory. Required.
	Profile string
	// Store is the profile's open store. Required.
	Store *mailstore.Store
	// Backend chooses where secrets live; BackendAuto: the OS keyring,
	// else a file of the profile.
	Backend account.Backend
	// Dialer opens the connections to the accounts' servers; nil means
	// the system roots.
	Dialer *account.Dialer
	// Handoff hands messages to the local mail system (the outbox and the
	// Local account's mail); nil means a handoff.Client on the profile's
	// MTA directory, with localmta's default configuration for pick-ups.
	Handoff *handoff.Client
	// LocalAddress is the Local account's address (login@localhost); its
	// login names the user in the Received field of a pick-up.
	LocalAddress string
	// SubmitTimeout bounds a submission to an account's SMTP server; 0
	// means 5 minutes.
	SubmitTimeout time.Duration
	// Logger receives what has no caller to tell (a copy in Sent that
	// failed while the MTA delivered an outbox message); nil is
	// slog.Default().
	Logger *slog.Logger
}

// Mailer carries out the user's actions over one profile. Its methods are
// safe for concurrent use.
type Mailer struct {
	opt   Options
	prof  profile.Profile
	book  *account.Book
	creds *account.Credentials
	state *imapsync.State
	hand  *handoff.Client

	mu      sync.Mutex
	watcher *watch.Watcher // nil until Watch
}

// Open returns the Mailer of a profile; it opens the IMAP sync state,
// which Close closes.
func Open(ctx context.Context, opt Options) (*Mailer, error) {
	if opt.Profile == "" || opt.Store == nil {
		return nil, errors.New("mailer: Open needs a Profile and a Store")
	}
	p, err := profile.Open(opt.Profile)
	if err != nil {
		return nil, err
	}
	state, err := imapsync.OpenState(ctx, p.Dir)
	if err != nil {
		return nil, err
	}
	m := &Mailer{opt: opt, prof: p, book: account.OpenBook(p.ConfigFile()),
		creds: account.OpenCredentials(p.Dir, opt.Backend), state: state, hand: opt.Handoff}
	if m.hand == nil {
		m.hand = &handoff.Client{Dir: p.MTADir(), Logger: opt.Logger}
	}
	return m, nil
}

// Close closes the sync state. The watcher must have stopped (its
// context ended and Watcher().Wait() returned).
func (m *Mailer) Close() error {
	return m.state.Close()
}

// Store is the profile's store.
func (m *Mailer) Store() *mailstore.Store { return m.opt.Store }

// Accounts lists the configured accounts.
func (m *Mailer) Accounts() ([]account.Account, error) { return m.book.List() }

// Account returns the configured account of that name.
func (m *Mailer) Account(name string) (account.Account, error) { return m.book.Get(name) }

// Credentials are the profile's secrets (the OS keyring, or a file).
func (m *Mailer) Credentials() *account.Credentials { return m.creds }

// tokens gives the login secrets: passwords, or OAuth2 access tokens.
func (m *Mailer) tokens() *oauth.Tokens { return &oauth.Tokens{Secrets: m.creds} }

// LoginSecret is what logs in to an account's incoming server: its
// password, or a fresh OAuth2 access token.
func (m *Mailer) LoginSecret(ctx context.Context, a account.Account) (string, error) {
	return m.tokens().LoginSecret(ctx, a)
}

// imapAccount is the configured IMAP account of that name; ok is false for
// the Local account, a POP3 account, or a name no longer configured (mail
// kept after its account was removed): their messages live in the store
// alone.
func (m *Mailer) imapAccount(name string) (account.Account, bool, error) {
	if name == LocalAccount || name == "" {
		return account.Account{}, false, nil
	}
	a, err := m.book.Get(name)
	if errors.Is(err, account.ErrNotFound) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	return a, a.Protocol == account.IMAP, nil
}

// journal is a Syncer of an IMAP account that changes the store and the
// journal: it never connects.
func (m *Mailer) journal(a account.Account) *imapsync.Syncer {
	return imapsync.New(a, "", imapsync.Options{Store: m.opt.Store, State: m.state})
}

// online is a Syncer of an IMAP account that logs in, for what needs the
// server now; the caller closes it.
func (m *Mailer) online(ctx context.Context, a account.Account, opt imapsync.Options) (*imapsync.Syncer, error) {
	secret, err := m.LoginSecret(ctx, a)
	if err != nil {
		return nil, err
	}
	opt.Store, opt.State = m.opt.Store, m.state
	if opt.Dialer == nil {
		opt.Dialer = m.opt.Dialer
	}
	return imapsync.New(a, secret, opt), nil
}

// login is the user's login: the local part of the Local account's address.
func (m *Mailer) login() string {
	login, _, _ := strings.Cut(m.opt.LocalAddress, "@")
	return login
}

func (m *Mailer) logger() *slog.Logger {
	if m.opt.Logger != nil {
		return m.opt.Logger
	}
	return slog.Default()
}

// AccountError is the failure of an account's part of an action.
type AccountError struct {
	Account string
	Err     error
}

func (e *AccountError) Error() string { return e.Account + ": " + e.Err.Error() }
func (e *AccountError) Unwrap() error { return e.Err }

func accountErr(name string, err error) error {
	if err == nil {
		return nil
	}
	return &AccountError{Account: name, Err: err}
}
