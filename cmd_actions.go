package main

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"facteur/internal/profile"
	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/imapsync"
	"facteur/mua/mailer"
)

// The message commands act on the ids that `facteur search --json` gives,
// like `notmuch tag` and mutt's commands, for scripts: through the mailer,
// as the window does. A message of an IMAP account changes in the store at
// once and its server gets the change from the account's journal: now
// when it answers, else with the next sync.

const (
	flagUsage   = "flag [--add FLAG]... [--remove FLAG]... ID...   (FLAG: seen, flagged, answered, draft, forwarded, or an IMAP keyword such as $Label1)"
	moveUsage   = "move ID... FOLDER"
	deleteUsage = "delete ID..."
)

// flagNames are the flags that `facteur flag` takes by name; $Forwarded
// (RFC 5788) is the flag forwarded (Maildir's P).
var flagNames = map[string]mailstore.Flags{
	"seen": mailstore.FlagSeen, "flagged": mailstore.FlagFlagged,
	"answered": mailstore.FlagAnswered, "draft": mailstore.FlagDraft,
	"forwarded": mailstore.FlagPassed, "$forwarded": mailstore.FlagPassed,
}

// flagOrder is the order of the flags in flagChange.
var flagOrder = []string{"seen", "flagged", "answered", "draft", "forwarded"}

// errKeyword: a FLAG that is neither a flag name nor an IMAP keyword.
var errKeyword = errors.New("not a flag (seen, flagged, answered, draft, forwarded) nor an IMAP keyword " +
	"(an atom, RFC 9051: printable ASCII without space and ( ) { % * \" \\ ] ,; not starting with \\)")

// parseFlagNames reads what --add or --remove names: flags and keywords.
func parseFlagNames(names []string) (mailstore.Flags, []string, error) {
	var flags mailstore.Flags
	var keywords []string
	for _, n := range names {
		if bit, ok := flagNames[strings.ToLower(strings.TrimPrefix(n, `\`))]; ok {
			flags |= bit
			continue
		}
		if !imapsync.ValidKeyword(n) {
			return 0, nil, usageError{fmt.Sprintf("flag: %q: %v\nusage: facteur %s", n, errKeyword, flagUsage)}
		}
		if !slices.ContainsFunc(keywords, func(k string) bool { return strings.EqualFold(k, n) }) {
			keywords = append(keywords, n)
		}
	}
	return flags, keywords, nil
}

// parseIDs reads message ids.
func parseIDs(cmd, usage string, args []string) ([]int64, error) {
	if len(args) == 0 {
		return nil, usageError{fmt.Sprintf("%s: no message id (the ids of facteur search --json)\nusage: facteur %s", cmd, usage)}
	}
	ids := make([]int64, 0, len(args))
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageError{fmt.Sprintf("%s: %q is no message id\nusage: facteur %s", cmd, a, usage)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// withMailer opens the store and the profile's mailer for fn.
func withMailer(e *env, fn func(*mailer.Mailer) error) error {
	s, p, err := openStore(e)
	if err != nil {
		return err
	}
	m, err := openMailer(e, p, s)
	if err != nil {
		s.Close()
		return err
	}
	defer closeBoth(m.Close, s.Close)
	return fn(m)
}

// closeBoth runs two closes at once and waits for both: the sync state
// and the store are two databases, each of which checkpoints its log and
// syncs its files on close, and a command ends when the slower is done
// rather than after the sum. It returns the first error.
func closeBoth(a, b func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- a() }()
	err := b()
	return cmp.Or(<-errc, err)
}

// openMailer opens the profile's mailer over its open store; the local
// mail system's pick-ups check recipients against the configuration
// `facteur mta` would load.
func openMailer(e *env, p profile.Profile, s *mailstore.Store) (*mailer.Mailer, error) {
	dir := p.MTADir()
	return mailer.Open(e.ctx, mailer.Options{Profile: p.Dir, Store: s, Backend: account.BackendAuto, LocalAddress: localAddress(),
		Handoff: &handoff.Client{Dir: dir, Config: func() (localmta.Config, error) { return pickupConfig(dir) },
			Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))},
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
}

// known checks that every id names a message of the store.
func known(e *env, m *mailer.Mailer, ids []int64) ([]mailstore.Summary, error) {
	out := make([]mailstore.Summary, 0, len(ids))
	for _, id := range ids {
		sum, err := m.Store().Get(e.ctx, id)
		if errors.Is(err, mailstore.ErrNotFound) {
			return nil, fmt.Errorf("no message %d in the store (see facteur search --json)", id)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// pushed sends the journals the change names to the servers now, and says
// what each took and what waits for the next sync.
func pushed(e *env, m *mailer.Mailer, ch mailer.Change) {
	for _, r := range m.Replay(e.ctx, ch.Journaled) {
		if r.Refused != nil {
			fmt.Fprintf(e.stderr, "facteur: warning: %v\n", r.Refused)
		}
		switch {
		case r.Err != nil:
			fmt.Fprintf(e.stdout, "%s: the server was not reached (%v); %d changes wait for the next sync\n", r.Account, explain(r.Err), r.Pending)
		case r.Pending > 0:
			fmt.Fprintf(e.stdout, "%s: the server took %d changes; %d wait for the next sync\n", r.Account, r.Sent, r.Pending)
		default:
			fmt.Fprintf(e.stdout, "%s: the server took the change\n", r.Account)
		}
	}
}

// cmdFlag adds and removes flags: `facteur flag --add seen --remove flagged ID...`.
func cmdFlag(e *env) error {
	var add, remove listFlag
	fs := newFlags(e, "flag")
	fs.Var(&add, "add", "flag to add: seen, flagged, answered, draft (repeatable)")
	fs.Var(&remove, "remove", "flag to remove (repeatable)")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	var mk mailer.Marks
	if mk.Add, mk.AddKeywords, err = parseFlagNames(add); err != nil {
		return err
	}
	if mk.Remove, mk.RemoveKeywords, err = parseFlagNames(remove); err != nil {
		return err
	}
	if err := checkFlagChange(mk); err != nil {
		return err
	}
	ids, err := parseIDs("flag", flagUsage, args)
	if err != nil {
		return err
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		if _, err := known(e, m, ids); err != nil {
			return err
		}
		ch, err := m.Mark(e.ctx, ids, mk)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d messages: flags %s\n", len(ids), flagChange(mk))
		pushed(e, m, ch)
		return nil
	})
}

// checkFlagChange refuses a change that adds nothing and removes nothing,
// or adds and removes the same flag or keyword.
func checkFlagChange(mk mailer.Marks) error {
	if mk.Add == 0 && mk.Remove == 0 && len(mk.AddKeywords) == 0 && len(mk.RemoveKeywords) == 0 {
		return usageError{"flag: give --add or --remove\nusage: facteur " + flagUsage}
	}
	both := mk.Add&mk.Remove != 0
	for _, k := range mk.AddKeywords {
		both = both || slices.ContainsFunc(mk.RemoveKeywords, func(r string) bool { return strings.EqualFold(r, k) })
	}
	if both {
		return usageError{"flag: a flag both added and removed\nusage: facteur " + flagUsage}
	}
	return nil
}

// flagChange is "+seen -flagged +$Label1".
func flagChange(mk mailer.Marks) string {
	var out []string
	for _, n := range flagOrder {
		switch bit := flagNames[n]; {
		case mk.Add&bit != 0:
			out = append(out, "+"+n)
		case mk.Remove&bit != 0:
			out = append(out, "-"+n)
		}
	}
	for _, k := range mk.AddKeywords {
		out = append(out, "+"+k)
	}
	for _, k := range mk.RemoveKeywords {
		out = append(out, "-"+k)
	}
	return strings.Join(out, " ")
}

// cmdMove moves messages to a folder: `facteur move ID... FOLDER`, FOLDER
// being ACCOUNT/NAME, or a NAME of the messages' account.
func cmdMove(e *env) error {
	args, err := parseFlags(newFlags(e, "move"), e.args)
	if err != nil {
		return err
	}
	if len(args) < 2 {
		return usageError{"move: give message ids and a folder\nusage: facteur " + moveUsage}
	}
	ids, err := parseIDs("move", moveUsage, args[:len(args)-1])
	if err != nil {
		return err
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		sums, err := known(e, m, ids)
		if err != nil {
			return err
		}
		dest, err := moveTarget(e, m.Store(), sums, args[len(args)-1])
		if err != nil {
			return err
		}
		ch, err := m.Move(e.ctx, ids, dest)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d messages moved to %s\n", len(ids), dest)
		if ch.KeywordsLeft != nil {
			fmt.Fprintf(e.stderr, "facteur: warning: moved without some keywords: %v\n", ch.KeywordsLeft)
		}
		pushed(e, m, ch)
		return nil
	})
}

// moveTarget resolves the folder of a move: ACCOUNT/NAME as the store
// names it, else NAME in the account of the messages when they all have
// one, else a folder of the Local account.
func moveTarget(e *env, s *mailstore.Store, sums []mailstore.Summary, name string) (mailstore.FolderRef, error) {
	folders, err := s.Folders(e.ctx)
	if err != nil {
		return mailstore.FolderRef{}, err
	}
	acct := sums[0].Folder.Account
	for _, sum := range sums {
		if sum.Folder.Account != acct {
			acct = ""
		}
	}
	for _, f := range folders {
		if f.Ref.String() == name {
			return f.Ref, nil
		}
	}
	for _, f := range folders {
		if acct != "" && f.Ref == (mailstore.FolderRef{Account: acct, Name: name}) {
			return f.Ref, nil
		}
	}
	return existingFolder(e, s, name)
}

// cmdDelete moves messages to their account's Trash, as the Delete key
// does; those in the Trash already go for good.
func cmdDelete(e *env) error {
	args, err := parseFlags(newFlags(e, "delete"), e.args)
	if err != nil {
		return err
	}
	ids, err := parseIDs("delete", deleteUsage, args)
	if err != nil {
		return err
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		if _, err := known(e, m, ids); err != nil {
			return err
		}
		ch, err := m.Delete(e.ctx, ids)
		if err != nil {
			return err
		}
		told, err := deleted(e, m.Store(), ids)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, told)
		pushed(e, m, ch)
		return nil
	})
}

// deleted says what a delete did: a message still in the store went to
// the Trash (a move keeps its id), one gone was in the Trash already and
// is removed for good.
func deleted(e *env, s *mailstore.Store, ids []int64) (string, error) {
	gone := map[int64]bool{}
	for _, id := range ids {
		_, err := s.Get(e.ctx, id)
		switch {
		case errors.Is(err, mailstore.ErrNotFound):
			gone[id] = true
		case err != nil:
			return "", err
		default:
			gone[id] = false
		}
	}
	purged := 0
	for _, g := range gone {
		if g {
			purged++
		}
	}
	if purged == 0 {
		return fmt.Sprintf("%d messages deleted (moved to the Trash)", len(gone)), nil
	}
	return fmt.Sprintf("%d messages deleted: %d moved to the Trash, %d removed for good (in the Trash already)",
		len(gone), len(gone)-purged, purged), nil
}
