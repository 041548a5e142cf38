package inspect

import (
	"slices"
	"testing"
)

func TestEnvelopeAndFindings(t *testing.T) {
	tests := []struct {
		file       string
		mailFrom   string
		fromSrc    Source
		rcptTo     []string
		rcptSrc    Source
		null       bool
		want, none []FindingKind
	}{
		{file: "course-example.eml", mailFrom: "christian.caleca@wanadoo.fr", fromSrc: SourceReturnPath,
			rcptTo: []string{"eme13@enprovence.com"}, rcptSrc: SourceReceivedFor,
			want: []FindingKind{FindEnvelopeSender}, none: []FindingKind{FindHiddenRecipient}},
		{file: "messages/bcc.eml", mailFrom: "alice@example.org", fromSrc: SourceReturnPath,
			rcptTo: []string{"carol@example.com"}, rcptSrc: SourceXOriginalTo,
			want: []FindingKind{FindHiddenRecipient}, none: []FindingKind{FindEnvelopeSender, FindForward, FindMailingList}},
		{file: "messages/list.eml", mailFrom: "lettre-bounces+bob=example.com@lists.example.net", fromSrc: SourceReturnPath,
			rcptTo: []string{"bob@example.com"}, rcptSrc: SourceDeliveredTo,
			want: []FindingKind{FindMailingList, FindEnvelopeSender, FindSenderField, FindReplyTo},
			none: []FindingKind{FindHiddenRecipient}},
		{file: "messages/forward.eml", mailFrom: "alice@example.org", fromSrc: SourceReturnPath,
			rcptTo: []string{"bob@old.example.com"}, rcptSrc: SourceXOriginalTo,
			want: []FindingKind{FindForward}, none: []FindingKind{FindHiddenRecipient, FindEnvelopeSender}},
		{file: "messages/bounce.eml", fromSrc: SourceReturnPath, null: true,
			rcptTo: []string{"alice@example.org"}, rcptSrc: SourceDeliveredTo,
			want: []FindingKind{FindBounce}, none: []FindingKind{FindEnvelopeSender}},
		{file: "messages/skew.eml", mailFrom: "alice@example.org", fromSrc: SourceReturnPath,
			rcptTo: []string{"bob@example.com"}, rcptSrc: SourceReceivedFor,
			want: []FindingKind{FindClockSkew, FindDateAfterReceived, FindUnparsedReceived, FindBadHeader}},
		{file: "messages/gmail-to-postfix.eml", mailFrom: "alice@gmail.com", fromSrc: SourceReturnPath,
			rcptTo: []string{"bob@example.com"}, rcptSrc: SourceDeliveredTo, want: nil,
			none: []FindingKind{FindEnvelopeSender, FindHiddenRecipient, FindClockSkew}},
		{file: "messages/exchange.eml", want: nil, rcptTo: nil,
			none: []FindingKind{FindHiddenRecipient, FindEnvelopeSender}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := analyzeFile(t, tt.file, Options{})
			e := r.Envelope
			if e.MailFrom != tt.mailFrom || e.MailFromSource != tt.fromSrc || e.NullSender != tt.null {
				t.Errorf("MAIL FROM = %q (%s, null %v), want %q (%s, null %v)", e.MailFrom, e.MailFromSource, e.NullSender, tt.mailFrom, tt.fromSrc, tt.null)
			}
			if !slices.Equal(e.RcptTo, tt.rcptTo) || e.RcptToSource != tt.rcptSrc {
				t.Errorf("RCPT TO = %v (%s), want %v (%s)", e.RcptTo, e.RcptToSource, tt.rcptTo, tt.rcptSrc)
			}
			got := kinds(r.Findings)
			for _, k := range tt.want {
				if !slices.Contains(got, k) {
					t.Errorf("no %s finding in %v", k, got)
				}
			}
			for _, k := range tt.none {
				if slices.Contains(got, k) {
					t.Errorf("unexpected %s finding: %+v", k, r.Findings)
				}
			}
		})
	}
}

func TestKnownEnvelopeWins(t *testing.T) {
	known := &KnownEnvelope{MailFrom: "christian.caleca@wanadoo.fr", RcptTo: []string{"eme13@enprovence.com", "hidden@enprovence.com"}}
	r := analyzeFile(t, "course-example.eml", Options{Envelope: known})
	e := r.Envelope
	if !e.Exact || e.MailFromSource != SourceKnown || e.RcptToSource != SourceKnown {
		t.Errorf("envelope not exact: %+v", e)
	}
	if !slices.Equal(e.RcptTo, known.RcptTo) {
		t.Errorf("RCPT TO = %v", e.RcptTo)
	}
	known.RcptTo[0] = "changed@example.com"
	if e.RcptTo[0] != "eme13@enprovence.com" {
		t.Error("the report shares the caller's slice")
	}
	f := findKind(r.Findings, FindHiddenRecipient)
	if f == nil || !slices.Equal(f.Addrs, []string{"hidden@enprovence.com"}) {
		t.Errorf("hidden recipient finding = %+v", f)
	}
	// The header's clues stay listed beside the exact envelope.
	if len(e.Senders) == 0 || e.Senders[0].Source != SourceReturnPath {
		t.Errorf("senders = %+v", e.Senders)
	}
	r = analyzeFile(t, "course-example.eml", Options{Envelope: &KnownEnvelope{RcptTo: []string{"eme13@enprovence.com"}}})
	if !r.Envelope.NullSender || findKind(r.Findings, FindBounce) == nil {
		t.Errorf("known null sender: %+v %+v", r.Envelope, r.Findings)
	}
}

func TestEnvelopeClues(t *testing.T) {
	r := analyzeFile(t, "messages/skew.eml", Options{})
	var srcs []Source
	for _, c := range r.Envelope.Senders {
		srcs = append(srcs, c.Source)
	}
	if !slices.Equal(srcs, []Source{SourceReturnPath, SourceMboxFrom}) {
		t.Errorf("sender clues = %v", srcs)
	}
	r = analyzeFile(t, "messages/forward.eml", Options{})
	var rc []string
	for _, c := range r.Envelope.Recipients {
		rc = append(rc, string(c.Source)+":"+c.Addr)
	}
	want := []string{"X-Original-To:bob@old.example.com", "Delivered-To:bob@example.com",
		"Received for:bob@example.com", "Received for:bob@old.example.com"}
	if !slices.Equal(rc, want) {
		t.Errorf("recipient clues = %v, want %v", rc, want)
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"<a@b.example>", "a@b.example", true},
		{"a@b.example", "a@b.example", true},
		{"<>", "", true},
		{" < > ", "", true},
		{"<a@b.example> (comment)", "a@b.example", true},
		{"", "", false},
		{"not an address", "", false},
		{"<jacques @ urec.fr>", "jacques@urec.fr", true},
		{"<@relay.example:a@b.example>", "a@b.example", true},
		{"a@[192.168.42.1]", "a@[192.168.42.1]", true},
	}
	for _, tt := range tests {
		got, ok := parsePath(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parsePath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
