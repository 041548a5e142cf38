package mailer

import (
	"context"
	"errors"
	"slices"
	"testing"

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
