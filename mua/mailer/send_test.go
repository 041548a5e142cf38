package mailer

import (
	"context"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"facteur/localmta/queue"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/imapsync/imaptest"
	"facteur/mua/submit/smtptest"
)

// withSMTP gives the fixture's account an SMTP server on loopback; its
// i-th connection misbehaves as faults[i].
func (f *fixture) withSMTP(t *testing.T, faults ...smtptest.Fault) *smtptest.Server {
	t.Helper()
	s := smtptest.Start(t, nil, faults...)
	host, port, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(port)
	f.acct.Outgoing = account.Server{Host: host, Port: n, Security: account.SecurityNone}
	if _, err := f.m.UpdateAccount(context.Background(), f.acct, Secrets{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// draft puts a draft on the server and syncs it; it returns its local id.
func (f *fixture) draft(t *testing.T) int64 {
	t.Helper()
	c := imaptest.Login(t, f.srv.Addr)
	raw := testMsg("Draft")
	cmd := c.Append("Drafts", int64(len(raw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft, imap.FlagSeen}})
	cmd.Write([]byte(raw))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Sync(context.Background(), f.acct, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	id := f.ids(t, "Machin", "Drafts")["Draft"]
	if id == 0 {
		t.Fatal("the draft was not synced")
	}
	return id
}

func build(t *testing.T, from account.Identity, subject string) *compose.Message {
	t.Helper()
	d := compose.New(from)
	d.To, d.Subject, d.Body = "fred@truc.test", subject, "Hello.\n"
	m, err := compose.Build(d, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A message sent through an IMAP account reaches the SMTP server; its
// copy reaches the server's Sent folder (and the store's), its draft
// leaves the server's Drafts.
func TestSendFromIMAPAccount(t *testing.T) {
	f := newFixture(t, []string{"Sent", "Drafts"})
	smtp := f.withSMTP(t)
	draft := f.draft(t)
	ctx := context.Background()
	out, err := f.m.Send(ctx, &f.acct, build(t, f.acct.Identity, "Sent one"), SendOptions{Draft: draft})
	if err != nil || !out.Sent || out.SentErr != nil || out.DraftErr != nil {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	if got := smtp.Messages(); len(got) != 1 || got[0].From != "marc@machin.test" {
		t.Fatalf("the SMTP server got %+v", got)
	}
	f.replay(t, out.Change)
	if got := f.server(t, "Sent"); !slices.Equal(got, []string{`Sent one \Seen`}) {
		t.Errorf("server Sent = %q", got)
	}
	if got := f.server(t, "Drafts"); len(got) != 0 {
		t.Errorf("server Drafts = %q, want the draft gone", got)
	}
	if got := f.ids(t, "Machin", "Sent"); len(got) != 1 {
		t.Errorf("local Sent = %v", got)
	}
	if st, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil || st.IMAP.New != 0 {
		t.Errorf("the sync after: %+v, %v; want no second copy", st, err)
	}
}

// Send later queues the message in the outbox (the local MTA's queue, no
// MTA running), with the account's server as its relay; no copy in Sent
// yet, and the draft goes.
func TestSendLaterQueues(t *testing.T) {
	f := newFixture(t, []string{"Sent", "Drafts"})
	smtp := f.withSMTP(t)
	draft := f.draft(t)
	ctx := context.Background()
	out, err := f.m.Send(ctx, &f.acct, build(t, f.acct.Identity, "Later"), SendOptions{Later: true, Draft: draft})
	if err != nil || !out.Queued || out.Sent || out.Where.Running() || out.Where.QueueDir == "" {
		t.Fatalf("Send later = %+v, %v", out, err)
	}
	if n := len(smtp.Messages()); n != 0 {
		t.Errorf("the SMTP server got %d messages", n)
	}
	q, err := queue.Open(ctx, out.Where.QueueDir, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list := q.List()
	if len(list) != 1 || list[0].ID != out.QueueID || list[0].Relay == nil || list[0].Relay.Account != "Machin" {
		t.Errorf("queue = %+v, want the message %s relayed by Machin", list, out.QueueID)
	}
	if got := f.ids(t, "Machin", "Sent"); len(got) != 0 {
		t.Errorf("local Sent = %v before the message went", got)
	}
	if got := f.ids(t, "Machin", "Drafts"); len(got) != 0 {
		t.Errorf("local Drafts = %v, want the draft gone", got)
	}
}

// The Local account's mail goes to the local MTA (picked up into its
// queue when none runs) and its copy into the Local Sent folder.
func TestSendFromLocal(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	out, err := f.m.Send(ctx, nil, build(t, account.Identity{Address: "moi@localhost"}, "Local one"), SendOptions{})
	if err != nil || out.Local == nil || !out.Queued || out.QueueID == "" {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	if len(out.Journaled) != 0 {
		t.Errorf("Change = %+v, want no IMAP journal", out.Change)
	}
	if got := f.ids(t, LocalAccount, "Sent"); len(got) != 1 {
		t.Errorf("Local Sent = %v", got)
	}
}

// A reply marks what it answers \Answered, on the IMAP server too (its
// In-Reply-To names it, also when it went through a draft); a forward
// marks what it forwards with Maildir's P, $Forwarded on the server (RFC
// 5788, as Thunderbird shows it). Nothing is marked while the message has
// not gone.
func TestSendMarksWhatItAnswersAndForwards(t *testing.T) {
	f := newFixture(t, []string{"Sent", "Drafts"}, "Question", "Notice")
	f.withSMTP(t, smtptest.Data552)
	ctx := context.Background()
	if _, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	inbox := f.ids(t, "Machin", "INBOX")
	flags := func(id int64) mailstore.Flags {
		t.Helper()
		sum, err := f.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sum.Flags
	}
	reply := func(subject string) *compose.Message {
		d := compose.New(f.acct.Identity)
		d.To, d.Subject, d.Body = "fred@truc.test", subject, "Yes.\n"
		d.InReplyTo, d.References = "question@truc.test", []string{"question@truc.test"}
		m, err := compose.Build(d, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	// The server refuses the message: nothing is marked.
	if out, err := f.m.Send(ctx, &f.acct, reply("Re: Question"), SendOptions{Forwards: []int64{inbox["Notice"]}}); err == nil || out.Sent || out.Queued {
		t.Fatalf("Send to a refusing server = %+v, %v", out, err)
	}
	if got := flags(inbox["Question"]) | flags(inbox["Notice"]); got&(mailstore.FlagAnswered|mailstore.FlagPassed) != 0 {
		t.Fatalf("flags %v after a refused message", got)
	}

	out, err := f.m.Send(ctx, &f.acct, reply("Re: Question"), SendOptions{})
	if err != nil || !out.Sent || out.MarkErr != nil {
		t.Fatalf("Send = %+v, %v", out, err)
	}
	if flags(inbox["Question"])&mailstore.FlagAnswered == 0 {
		t.Errorf("the question is not marked answered in the store")
	}
	out2, err := f.m.Send(ctx, &f.acct, build(t, f.acct.Identity, "Fwd: Notice"), SendOptions{Forwards: []int64{inbox["Notice"]}})
	if err != nil || !out2.Sent || out2.MarkErr != nil {
		t.Fatalf("Send = %+v, %v", out2, err)
	}
	if got := flags(inbox["Notice"]); got&mailstore.FlagPassed == 0 || got&mailstore.FlagAnswered != 0 {
		t.Errorf("the forwarded notice has flags %v, want P and not answered", got)
	}
	out.Change.merge(out2.Change)
	f.replay(t, out.Change)
	got := f.server(t, "INBOX")
	slices.Sort(got)
	if want := []string{`Notice $Forwarded`, `Question \Answered`}; !slices.Equal(got, want) {
		t.Errorf("server INBOX = %q, want %q", got, want)
	}
	// The next sync keeps both marks.
	if _, err := f.m.Sync(ctx, f.acct, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if flags(inbox["Question"])&mailstore.FlagAnswered == 0 || flags(inbox["Notice"])&mailstore.FlagPassed == 0 {
		t.Errorf("after a sync: question %v, notice %v", flags(inbox["Question"]), flags(inbox["Notice"]))
	}
}
