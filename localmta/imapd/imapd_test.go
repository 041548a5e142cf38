package imapd

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

const multipart = "From: Anne <anne@machin.com>\r\nTo: marc@machin.com\r\nSubject: =?utf-8?q?R=C3=A9union?=\r\n" +
	"Date: Tue, 03 Mar 2026 09:30:00 +0000\r\nMessage-ID: <mp@machin.com>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Ordre du jour: budget\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n" +
	"Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n"

func appendMsg(t *testing.T, c *imapclient.Client, mailbox, msg string, opts *imap.AppendOptions) *imap.AppendData {
	t.Helper()
	cmd := c.Append(mailbox, int64(len(msg)), opts)
	if _, err := cmd.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatalf("APPEND %s: %v", mailbox, err)
	}
	return data
}

func TestMailboxCommands(t *testing.T) {
	ts := startServer(t)
	c := ts.login(t, nil)
	caps := c.Caps()
	for _, want := range []imap.Cap{imap.CapIMAP4rev2, imap.CapIMAP4rev1, imap.CapUIDPlus, imap.CapMove, imap.CapSpecialUse,
		imap.CapNamespace, imap.CapLiteralPlus, imap.CapIdle, imap.CapUnselect, imap.CapEnable} {
		if !caps.Has(want) {
			t.Errorf("capability %s missing: %v", want, caps)
		}
	}
	if err := c.Create("Sent", &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.MailboxAttrSent}}).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Lists/golang", "Old"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Create("old", nil).Wait(); err == nil {
		t.Error("CREATE of a name that exists but for case succeeded")
	}
	if err := c.Rename("Old", "Archives/2025", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Unsubscribe("Lists/golang").Wait(); err != nil {
		t.Fatal(err)
	}
	list, err := c.List("", "*", &imap.ListOptions{ReturnSubscribed: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]imap.MailboxAttr{}
	for _, l := range list {
		got[l.Mailbox] = l.Attrs
	}
	want := map[string][]imap.MailboxAttr{
		"INBOX":         {imap.MailboxAttrHasNoChildren, imap.MailboxAttrSubscribed},
		"Sent":          {imap.MailboxAttrHasNoChildren, imap.MailboxAttrSubscribed, imap.MailboxAttrSent},
		"Lists":         {imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren},
		"Lists/golang":  {imap.MailboxAttrHasNoChildren},
		"Archives":      {imap.MailboxAttrNoSelect, imap.MailboxAttrHasChildren},
		"Archives/2025": {imap.MailboxAttrHasNoChildren, imap.MailboxAttrSubscribed},
	}
	if len(got) != len(want) {
		t.Fatalf("LIST = %v", got)
	}
	for name, attrs := range want {
		if !slices.Equal(got[name], attrs) {
			t.Errorf("LIST %s = %v, want %v", name, got[name], attrs)
		}
	}
	lsub, err := c.List("", "*", &imap.ListOptions{SelectSubscribed: true}).Collect()
	if err != nil || len(lsub) != 3 {
		t.Fatalf("LIST (SUBSCRIBED) = %v, %v", lsub, err)
	}
	if err := c.Delete("Archives/2025").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("INBOX").Wait(); err == nil {
		t.Error("DELETE INBOX succeeded")
	}
	if err := c.Delete("Nothing").Wait(); err == nil {
		t.Error("DELETE of a mailbox that does not exist succeeded")
	}
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' {
		t.Fatalf("NAMESPACE = %+v, %v", ns, err)
	}
	st, err := c.Status("Sent", &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true}).Wait()
	if err != nil || *st.NumMessages != 0 || st.UIDNext != 1 || st.UIDValidity == 0 {
		t.Fatalf("STATUS = %+v, %v", st, err)
	}
}

func TestMessageCommands(t *testing.T) {
	ts := startServer(t)
	c := ts.login(t, nil)
	when := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	plain := testMessage("Budget", "Le budget est prêt.\r\n.ligne avec un point")
	a := appendMsg(t, c, "INBOX", plain, &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen, "$Important"}, Time: when})
	b := appendMsg(t, c, "INBOX", multipart, nil)
	if a.UID != 1 || b.UID != 2 || a.UIDValidity == 0 || a.UIDValidity != b.UIDValidity {
		t.Fatalf("APPENDUID = %+v, %+v", a, b)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 2 || sel.UIDNext != 3 || sel.UIDValidity != a.UIDValidity {
		t.Fatalf("SELECT = %+v, %v", sel, err)
	}

	whole := &imap.FetchItemBodySection{Peek: true}
	part := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 6, Size: 4}}
	subj := &imap.FetchItemBodySection{Peek: true, Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Subject"}}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}, BodySection: []*imap.FetchItemBodySection{whole, part, subj}}).Collect()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("FETCH = %v, %v", msgs, err)
	}
	m1, m2 := msgs[0], msgs[1]
	if string(m1.FindBodySection(whole)) != plain || m1.RFC822Size != int64(len(plain)) {
		t.Errorf("BODY[] = %q (size %d), want %q", m1.FindBodySection(whole), m1.RFC822Size, plain)
	}
	if got := string(m1.FindBodySection(part)); got != "Fred" {
		t.Errorf("BODY[]<6.4> = %q", got)
	}
	if got := string(m1.FindBodySection(subj)); got != "Subject: Budget\r\n\r\n" {
		t.Errorf("BODY[HEADER.FIELDS (Subject)] = %q", got)
	}
	if !m1.InternalDate.Equal(when) || !slices.Contains(m1.Flags, imap.FlagSeen) || !slices.Contains(m1.Flags, "$Important") {
		t.Errorf("INTERNALDATE %v FLAGS %v", m1.InternalDate, m1.Flags)
	}
	if m2.Envelope == nil || m2.Envelope.Subject != "Réunion" || m2.Envelope.From[0].Addr() != "anne@machin.com" {
		t.Errorf("ENVELOPE = %+v", m2.Envelope)
	}
	if mp, ok := m2.BodyStructure.(*imap.BodyStructureMultiPart); !ok || len(mp.Children) != 2 || mp.Subtype != "mixed" {
		t.Errorf("BODYSTRUCTURE = %#v", m2.BodyStructure)
	}

	searches := []struct {
		name     string
		criteria imap.SearchCriteria
		want     []uint32
	}{
		{"body word (full-text index)", imap.SearchCriteria{Body: []string{"budget"}}, []uint32{1, 2}},
		{"text phrase", imap.SearchCriteria{Text: []string{"ordre du jour"}}, []uint32{2}},
		{"subject", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "réunion"}}}, []uint32{2}},
		{"from", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "fred@truc"}}}, []uint32{1}},
		{"other header", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "mp@"}}}, []uint32{2}},
		{"unseen", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, []uint32{2}},
		{"keyword", imap.SearchCriteria{Flag: []imap.Flag{"$important"}}, []uint32{1}},
		{"not", imap.SearchCriteria{Not: []imap.SearchCriteria{{Body: []string{"point"}}}}, []uint32{2}},
		{"or", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Larger: 100000}, {SentSince: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}}}}, []uint32{2}},
		{"since internal date", imap.SearchCriteria{Since: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}, []uint32{2}},
		{"sequence set", imap.SearchCriteria{SeqNum: []imap.SeqSet{imap.SeqSetNum(2)}}, []uint32{2}},
	}
	for _, s := range searches {
		data, err := c.Search(&s.criteria, nil).Wait()
		if err != nil || !slices.Equal(data.AllSeqNums(), s.want) {
			t.Errorf("SEARCH %s = %v, %v; want %v", s.name, data.AllSeqNums(), err, s.want)
		}
	}
	uidData, err := c.UIDSearch(&imap.SearchCriteria{Body: []string{"jour"}}, nil).Wait()
	if err != nil || !slices.Equal(uidData.AllUIDs(), []imap.UID{2}) {
		t.Errorf("UID SEARCH = %v, %v", uidData.AllUIDs(), err)
	}

	// BODY[] without PEEK marks the message read.
	seen, err := c.Fetch(imap.SeqSetNum(2), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	if err != nil || !slices.Contains(seen[0].Flags, imap.FlagSeen) {
		t.Fatalf("FETCH BODY[] flags = %v, %v", seen, err)
	}
	if err := c.Store(imap.UIDSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged, "Work"}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	stored, err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsSet, Flags: []imap.Flag{imap.FlagAnswered}}, nil).Collect()
	if err != nil || len(stored) != 1 || !slices.Equal(stored[0].Flags, []imap.Flag{imap.FlagAnswered}) {
		t.Fatalf("STORE FLAGS = %+v, %v", stored, err)
	}
	if err := c.Create("Work", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cp, err := c.Copy(imap.SeqSetNum(1, 2), "Work").Wait()
	if err != nil || cp.SourceUIDs.String() != "1:2" || cp.DestUIDs.String() != "1:2" {
		t.Fatalf("COPY = %+v, %v", cp, err)
	}
	if _, err := c.Copy(imap.SeqSetNum(1), "Nowhere").Wait(); err == nil || !strings.Contains(err.Error(), "TRYCREATE") {
		t.Errorf("COPY to a missing mailbox: %v", err)
	}
	mv, err := c.Move(imap.UIDSetNum(1), "Work").Wait()
	if err != nil || mv.DestUIDs.String() != "3" {
		t.Fatalf("MOVE = %+v, %v", mv, err)
	}
	if n := c.Mailbox().NumMessages; n != 1 {
		t.Fatalf("after MOVE, INBOX has %d messages", n)
	}

	work, err := c.Select("Work", nil).Wait()
	if err != nil || work.NumMessages != 3 {
		t.Fatalf("SELECT Work = %+v, %v", work, err)
	}
	kept, err := c.Fetch(imap.UIDSetNum(2), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || !slices.Contains(kept[0].Flags, imap.FlagFlagged) || !slices.Contains(kept[0].Flags, "Work") {
		t.Fatalf("flags of the copy = %+v, %v", kept, err)
	}
	if err := c.Store(imap.UIDSetNum(1, 3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.UIDExpunge(imap.UIDSetNum(3)).Close(); err != nil {
		t.Fatal(err)
	}
	exp, err := c.Expunge().Collect()
	if err != nil || !slices.Equal(exp, []uint32{1}) || c.Mailbox().NumMessages != 1 {
		t.Fatalf("EXPUNGE = %v, %v, %d left", exp, err, c.Mailbox().NumMessages)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	left, _ := ts.store.FolderIDs(t.Context(), mailstore.FolderRef{Account: "Local", Name: "Work"})
	if len(left) != 1 {
		t.Fatalf("the store keeps %d messages in Work", len(left))
	}
	if _, err := c.Select("Work", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err == nil {
		t.Error("STORE in an EXAMINEd mailbox succeeded")
	}
	if data, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect(); err != nil ||
		!bytes.Contains(data[0].FindBodySection(&imap.FetchItemBodySection{}), []byte("Ordre")) {
		t.Fatalf("FETCH in EXAMINE: %v", err)
	}
}
