package compose

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"facteur/internal/ascii"
	"facteur/internal/mailaddr"
	"facteur/internal/message"
	"facteur/mua/account"

	"github.com/emersion/go-message/mail"
)

var now = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)

var marc = account.Identity{Name: "Marc Machin", Address: "marc@machin.com", Signature: "Marc\nmachin.com", Aliases: []string{"postmaster@machin.com"}}

const original = "From: Fred Truc <fred@truc.fr>\r\n" +
	"To: Marc Machin <marc@machin.com>, Paul <paul@uvsq.fr>\r\n" +
	"Cc: postmaster@machin.com, Jacques <jacques@urec.fr>, paul@uvsq.fr\r\n" +
	"Subject: =?utf-8?q?R=C3=A9union?=\r\n" +
	"Date: Mon, 2 Mar 2026 09:00:00 +0100\r\n" +
	"Message-ID: <m2@truc.fr>\r\n" +
	"References: <m0@truc.fr> <m1@machin.com>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOn se voit lundi ?\r\n> ancien\r\n" +
	"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=plan.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n"

func parseBuilt(t *testing.T, m *Message) *message.Message {
	t.Helper()
	pm, err := message.Parse(bytes.NewReader(m.Raw), message.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mail.CreateReader(bytes.NewReader(m.Raw)); err != nil {
		t.Fatalf("go-message cannot read it: %v", err)
	}
	return pm
}

func mustBuild(t *testing.T, d Draft) *Message {
	t.Helper()
	m, err := Build(d, now)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func orig(t *testing.T) Original {
	o, err := ParseOriginal([]byte(original))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestReply(t *testing.T) {
	d := Reply(orig(t), marc)
	if d.To != "Fred Truc <fred@truc.fr>" || d.Cc != "" || d.Subject != "Re: Réunion" {
		t.Fatalf("reply: to %q cc %q subject %q", d.To, d.Cc, d.Subject)
	}
	want := "On Mon, 2 Mar 2026 09:00 +0100, Fred Truc wrote:\n\n> On se voit lundi ?\n>> ancien\n"
	if !strings.Contains(d.Body, want) || !strings.HasSuffix(d.Body, "\n-- \nMarc\nmachin.com\n") {
		t.Fatalf("reply body %q", d.Body)
	}
	pm := parseBuilt(t, mustBuild(t, d))
	if len(pm.InReplyTo) != 1 || pm.InReplyTo[0] != "m2@truc.fr" || strings.Join(pm.References, " ") != "m0@truc.fr m1@machin.com m2@truc.fr" {
		t.Fatalf("threading: %v / %v", pm.InReplyTo, pm.References)
	}
}

func TestReplyAll(t *testing.T) {
	d := ReplyAll(orig(t), marc)
	if d.To != "Fred Truc <fred@truc.fr>, Paul <paul@uvsq.fr>" || d.Cc != "Jacques <jacques@urec.fr>" {
		t.Fatalf("reply all: to %q, cc %q", d.To, d.Cc)
	}
}

func TestReplyHonoursReplyTo(t *testing.T) {
	raw := strings.Replace(original, "Subject:", "Reply-To: list@truc.fr\r\nSubject:", 1)
	o, _ := ParseOriginal([]byte(raw))
	if d := Reply(o, marc); d.To != "list@truc.fr" {
		t.Fatalf("to %q", d.To)
	}
	if d := ReplyAll(o, marc); !strings.HasPrefix(d.To, "list@truc.fr, Paul") {
		t.Fatalf("reply all to %q", d.To)
	}
}

func TestForwardInline(t *testing.T) {
	d, err := Forward(orig(t), marc)
	if err != nil {
		t.Fatal(err)
	}
	d.To = "fred@truc.fr"
	if d.Subject != "Fwd: Réunion" || !strings.Contains(d.Body, "---------- Forwarded message ----------\nFrom: Fred Truc <fred@truc.fr>\n") {
		t.Fatalf("forward %q %q", d.Subject, d.Body)
	}
	pm := parseBuilt(t, mustBuild(t, d))
	if len(pm.Attachments) != 1 || pm.Attachments[0].Filename != "plan.pdf" || pm.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("attachments %+v", pm.Attachments)
	}
}

func TestForwardAsAttachment(t *testing.T) {
	d := ForwardAttached(orig(t), marc)
	d.To = "fred@truc.fr"
	m := mustBuild(t, d)
	if !bytes.Contains(m.Raw, []byte("Content-Type: message/rfc822")) || !bytes.Contains(m.Raw, []byte("Message-ID: <m2@truc.fr>")) {
		t.Fatalf("the original is not attached as is:\n%s", m.Raw)
	}
	pm := parseBuilt(t, m)
	if len(pm.Attachments) != 1 || pm.Attachments[0].ContentType != "message/rfc822" {
		t.Fatalf("attachments %+v", pm.Attachments)
	}
	_, r, err := message.OpenPart(bytes.NewReader(m.Raw), pm.Attachments[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	inner, _ := io.ReadAll(r)
	if !bytes.Equal(inner, []byte(original)) {
		t.Fatal("the attached message changed")
	}
}

func TestEditAsNew(t *testing.T) {
	d, err := EditAsNew(orig(t), marc)
	if err != nil {
		t.Fatal(err)
	}
	m := mustBuild(t, d)
	if m.MessageID == "m2@truc.fr" || d.Subject != "Réunion" || len(d.Attachments) != 1 {
		t.Fatalf("edit as new: %+v", d)
	}
}

func TestBuildHeaders(t *testing.T) {
	d := New(account.Identity{Name: "Frédéric Truc", Address: "fred@truc.fr"})
	d.To, d.Bcc = "marc@machin.com", "cache@truc.fr, marc@machin.com"
	d.Subject = "Été à la plage — programme"
	d.Body = "Bonjour\n"
	m := mustBuild(t, d)
	raw := string(m.Raw)
	for _, want := range []string{"MIME-Version: 1.0\r\n", "Date: Mon, 02 Mar 2026 10:30:00 +0000\r\n", "Subject: =?utf-8?", "From: =?utf-8?", "Content-Type: text/plain; charset=utf-8\r\n"} {
		if !strings.Contains(raw, want) {
			t.Errorf("missing %q in\n%s", want, raw)
		}
	}
	if strings.Contains(strings.ToLower(raw), "bcc") || strings.Contains(raw, "cache@") {
		t.Fatal("Bcc leaked into the message")
	}
	if strings.Join(m.Rcpts, " ") != "marc@machin.com cache@truc.fr" || !strings.HasSuffix(m.MessageID, "@truc.fr") {
		t.Fatalf("rcpts %v, id %q", m.Rcpts, m.MessageID)
	}
	if !ascii.Is(m.Raw) || m.EightBit {
		t.Fatal("the header or body is not 7-bit")
	}
}

func TestTransferEncodings(t *testing.T) {
	tests := []struct{ body, want string }{
		{"plain ascii\n", "7bit"},
		{"à bientôt\n", "quoted-printable"},
		{"Ελληνικά κείμενα εδώ\n", "base64"},
		{strings.Repeat("long ", 40) + "\n", "quoted-printable"},
	}
	for _, tt := range tests {
		d := New(marc)
		d.To, d.Body = "fred@truc.fr", tt.body
		m := mustBuild(t, d)
		if !strings.Contains(string(m.Raw), "Content-Transfer-Encoding: "+tt.want+"\r\n") {
			t.Errorf("%q: want %s in\n%s", tt.body, tt.want, m.Raw)
		}
		if pm := parseBuilt(t, m); strings.TrimSpace(pm.Text) != strings.TrimSpace(tt.body) {
			t.Errorf("%q read back as %q", tt.body, pm.Text)
		}
	}
}

func TestFlowed(t *testing.T) {
	d := New(marc)
	d.To, d.Flowed = "fred@truc.fr", true
	long := strings.TrimSpace(strings.Repeat("mot ", 40))
	d.Body = long + "\nFrom here\n"
	m := mustBuild(t, d)
	if !strings.Contains(string(m.Raw), "format=flowed") {
		t.Fatal("no format=flowed")
	}
	pm := parseBuilt(t, m)
	if !strings.Contains(pm.Text, long) || !strings.Contains(pm.Text, "\nFrom here") {
		t.Fatalf("flowed text read back as %q", pm.Text)
	}
}

func TestAttachmentFilenames(t *testing.T) {
	d := New(marc)
	d.To = "fred@truc.fr"
	d.Attachments = []Attachment{{Name: "compte rendu réunion.pdf", Data: []byte("%PDF")}}
	m := mustBuild(t, d)
	if !strings.Contains(string(m.Raw), "multipart/mixed") || !strings.Contains(string(m.Raw), "filename*=") {
		t.Fatalf("no RFC 2231 filename:\n%s", m.Raw)
	}
	pm := parseBuilt(t, m)
	if len(pm.Attachments) != 1 || pm.Attachments[0].Filename != "compte rendu réunion.pdf" || pm.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("%+v", pm.Attachments)
	}
}

func TestHeaderInjection(t *testing.T) {
	for _, mutate := range []func(*Draft){
		func(d *Draft) { d.Subject = "hi\r\nBcc: victim@x.org" },
		func(d *Draft) { d.To = "fred@truc.fr\nBcc: victim@x.org" },
		func(d *Draft) { d.From.Name = "Marc\r\nX-Evil: 1" },
		func(d *Draft) { d.InReplyTo = "a@b>\r\nX: y" },
		func(d *Draft) { d.Attachments = []Attachment{{Name: "a\r\nX: y", Data: []byte("x")}} },
		func(d *Draft) {
			d.Alternative = &Alternative{ContentType: "text/calendar", Params: map[string]string{"method": "REPLY\r\nX: y"}}
		},
	} {
		d := New(marc)
		d.To, d.Subject = "fred@truc.fr", "ok"
		mutate(&d)
		_, err := Build(d, now)
		var ie *InjectionError
		if !errors.Is(err, ErrHeaderInjection) || !errors.As(err, &ie) {
			t.Errorf("err = %v, want an *InjectionError", err)
		}
	}
}

func TestCheckAddresses(t *testing.T) {
	d := New(marc)
	d.To = "fred@truc.fr, <@relay.fr:paul@uvsq.fr>"
	d.Cc = "not an address"
	err := d.Check()
	var errs AddressErrors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Field != "To" || errs[1].Field != "Cc" {
		t.Fatalf("Check = %v", err)
	}
	if !errors.Is(err, mailaddr.ErrSourceRoute) {
		t.Fatalf("the source route's reason is lost: %v", err)
	}
	if _, err := Build(d, now); err == nil {
		t.Fatal("Build accepted bad addresses")
	}
	if _, err := Build(New(marc), now); !errors.Is(err, ErrNoRecipient) {
		t.Fatalf("no recipient: %v", err)
	}
}

func TestTextsInTheUsersLanguage(t *testing.T) {
	fr := Texts{
		Wrote: func(date time.Time, who string) string {
			return "Le " + date.Format("02/01/2006 à 15:04") + ", " + who + " a écrit :"
		},
		Forwarded: "Message transféré",
	}
	o := orig(t)
	o.Texts = fr
	if d := Reply(o, marc); !strings.Contains(d.Body, "\nLe 02/03/2026 à 09:00, Fred Truc a écrit :\n\n> On se voit lundi ?\n") {
		t.Errorf("French reply body %q", d.Body)
	}
	d, err := Forward(o, marc)
	if err != nil || !strings.Contains(d.Body, "\n---------- Message transféré ----------\nFrom: ") {
		t.Errorf("French forward body %q, %v", d.Body, err)
	}
	if d := Reply(orig(t), marc); !strings.Contains(d.Body, "On Mon, 2 Mar 2026 09:00 +0100, Fred Truc wrote:") {
		t.Errorf("the zero Texts are not English: %q", d.Body)
	}
}

// TestForwardAttachedLF: a stored message has LF line ends (see
// mailstore); attached as message/rfc822, it goes out in CRLF lines like
// the rest of the message (RFC 5322 §2.1), and unchanged otherwise.
func TestForwardAttachedLF(t *testing.T) {
	o, err := ParseOriginal([]byte(strings.ReplaceAll(original, "\r\n", "\n")))
	if err != nil {
		t.Fatal(err)
	}
	d := ForwardAttached(o, marc)
	d.To = "fred@truc.fr"
	m := mustBuild(t, d)
	if n, crlf := bytes.Count(m.Raw, []byte("\n")), bytes.Count(m.Raw, []byte("\r\n")); n != crlf {
		t.Fatalf("%d LF, %d of them in CRLF:\n%q", n, crlf, m.Raw)
	}
	pm := parseBuilt(t, m)
	_, r, err := message.OpenPart(bytes.NewReader(m.Raw), pm.Attachments[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if inner, _ := io.ReadAll(r); !bytes.Equal(inner, []byte(original)) {
		t.Fatalf("the attached message:\n%q\nwant\n%q", inner, original)
	}
}
