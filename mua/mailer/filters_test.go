package mailer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"facteur/internal/sieve"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/imapsync/imaptest"
)

const moveScript = `require ["fileinto", "imap4flags"];
if header :contains "Subject" "[list]" { fileinto :flags "\\Seen" "Archive"; }
`

// Sync runs the account's filters on its new INBOX mail, as the
// background watcher does after a check: the move reaches the server.
func TestSyncRunsTheFilters(t *testing.T) {
	f := newFixture(t, []string{"Archive"})
	ctx := context.Background()
	if err := filter.Install(ctx, f.m.filterOptions(), f.acct.Name, []byte(moveScript)); err != nil {
		t.Fatal(err)
	}
	imaptest.Append(t, f.srv.Addr, "INBOX", testMsg("[list] news"), testMsg("Hello"))
	out, err := f.m.Sync(ctx, f.acct, SyncOptions{})
	if err != nil || out.Filtered.Moved != 1 {
		t.Fatalf("sync: filters %+v, %v", out.Filtered, err)
	}
	if got := f.server(t, "Archive"); !slices.Equal(got, []string{`[list] news \Seen`}) {
		t.Errorf("server Archive %q", got)
	}
	if got := f.server(t, "INBOX"); !slices.Equal(got, []string{"Hello"}) {
		t.Errorf("server INBOX %q", got)
	}
}

// RunFilters applies a script to mail already there (`facteur filter
// run`): an IMAP account's changes reach the server, a Local account's
// stay in the store.
func TestRunFilters(t *testing.T) {
	f := newFixture(t, []string{"Archive"}, "[list] old", "Other")
	ctx := context.Background()
	if err := filter.Install(ctx, f.m.filterOptions(), f.acct.Name, []byte(moveScript)); err != nil {
		t.Fatal(err)
	}
	st, err := f.m.RunFilters(ctx, f.acct, "INBOX")
	if err != nil || st.Moved != 1 {
		t.Fatalf("run: %+v, %v", st, err)
	}
	if got := f.server(t, "Archive"); !slices.Equal(got, []string{`[list] old \Seen`}) {
		t.Errorf("server Archive %q", got)
	}
	local := account.Account{Name: filter.LocalAccount}
	if _, err := f.m.RunFilters(ctx, local, "INBOX"); !errors.Is(err, filter.ErrNoScript) {
		t.Errorf("a Local account without a script: %v, want ErrNoScript", err)
	}
}

const bodyScript = `require ["body", "fileinto"];
if body :contains "Body of Invoice" { fileinto "Archive"; }
`

// The dry run of a script that tests bodies downloads the bodies that a
// headers-first sync left on the server (as opening the message does),
// so it matches what a real run would; it changes nothing on the server
// or in the store's folders and flags. Without a fetcher it says the body
// tests saw the header only.
func TestDryRunFetchesTheBodiesItTests(t *testing.T) {
	f := newFixture(t, []string{"Archive"}, "Invoice", "Other")
	ctx := context.Background()
	script, err := sieve.Compile("body", []byte(bodyScript), filter.HostOf(f.acct.Name))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range f.ids(t, f.acct.Name, "INBOX") {
		if s, err := f.store.Get(ctx, want); err != nil || !s.Partial {
			t.Fatalf("%s: not synced header first (%v): the test proves nothing", id, err)
		}
	}
	var notes []error
	err = filter.Explain(ctx, f.m.filterOptions(), f.acct, "INBOX", script, 0, nil, func(r filter.Report) { notes = append(notes, r.HeaderOnly) })
	if err != nil || len(notes) != 2 || !errors.Is(notes[0], filter.ErrNoFetcher) || !errors.Is(notes[1], filter.ErrNoFetcher) {
		t.Errorf("without a fetcher: %v, %v; want ErrNoFetcher for both", notes, err)
	}
	got := map[string]string{}
	err = f.m.DryRun(ctx, f.acct, "INBOX", script, 0, func(r filter.Report) {
		if r.HeaderOnly != nil || r.Explain == nil {
			t.Errorf("%s: header only %v, err %v", r.Message.Subject, r.HeaderOnly, r.Err)
			return
		}
		var acts []string
		for _, a := range r.Explain.Actions {
			acts = append(acts, a.String())
		}
		got[r.Message.Subject] = strings.Join(acts, "; ")
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := `file into "Archive"`; got["Invoice"] != want || strings.Contains(got["Other"], "Archive") {
		t.Errorf("dry run %q, want Invoice: %q", got, want)
	}
	if inbox := f.server(t, "INBOX"); !slices.Equal(inbox, []string{"Invoice", "Other"}) {
		t.Errorf("server INBOX after a dry run %q (no flag, no move)", inbox)
	}
	if len(f.ids(t, f.acct.Name, "Archive")) != 0 {
		t.Error("the dry run moved a message in the store")
	}
}
