package sieve

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"facteur/internal/sieve/ext"
)

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name, script string
		host         Host
		line, col    int
		msg          string
	}{
		{"unknown command", "require \"fileinto\";\n\nfilinto \"x\";\n", Delivery, 3, 1, "unsupported command"},
		{"missing require", "if true {\n  fileinto \"x\";\n}\n", Delivery, 2, 3, "require"},
		{"unknown extension", "require \"notify\";\n", Delivery, 1, 1, "unsupported extension"},
		{"reject after sync", "require \"reject\";\nreject \"no\";\n", Client, 1, 1, "unsupported extension: reject"},
		{"bad character", "keep;\n  @\n", Delivery, 2, 3, "unexpected character"},
		{"unterminated string", "fileinto \"abc", Delivery, 1, 13, ""},
		{"missing semicolon", "keep\nkeep;\n", Delivery, 1, 1, "no tests allowed"},
		{"bad tag", "if header :containz \"subject\" \"x\" { keep; }\n", Delivery, 1, 11, "tagged argument"},
		{"bad date part", "require \"date\";\nif date \"date\" \"yearly\" \"2009\" { keep; }\n", Delivery, 2, 4, "date-part"},
		{"bad regex", "require \"regex\";\nif header :regex \"subject\" \"(\" { keep; }\n", Delivery, 2, 4, "pattern"},
		{"copy without require", "require \"fileinto\";\nfileinto :copy \"x\";\n", Delivery, 2, 1, "copy"},
		{"index without require", "if header :index 1 \"subject\" \"x\" { keep; }\n", Delivery, 1, 4, "index"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile("t.sieve", []byte(c.script), c.host)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if se.Line != c.line || se.Col != c.col || !strings.Contains(se.Msg, c.msg) {
				t.Errorf("error %d:%d %q, want %d:%d containing %q", se.Line, se.Col, se.Msg, c.line, c.col, c.msg)
			}
		})
	}
}

func run(t *testing.T, script, msg string, env Envelope, opt RunOptions) Result {
	t.Helper()
	s, err := Compile("t.sieve", []byte(script), Delivery)
	if err != nil {
		t.Fatal(err)
	}
	return s.Run(context.Background(), Message{Raw: []byte(msg), Envelope: env}, opt)
}

// TestRuntimeFailureKeeps: a script that fails while it runs keeps the
// message in INBOX and says why.
func TestRuntimeFailureKeeps(t *testing.T) {
	cases := []struct{ name, script string }{
		{"reject after keep", "require \"reject\";\nkeep;\nreject \"no\";\n"},
		{"vacation twice", "require \"vacation\";\nvacation \"a\";\nvacation \"b\";\n"},
		{"reject then fileinto", "require [\"reject\",\"fileinto\"];\nreject \"no\";\nfileinto \"x\";\n"},
		{"too many redirects", "redirect \"a@x\"; redirect \"b@x\"; redirect \"c@x\"; redirect \"d@x\"; redirect \"e@x\";"},
		{"regex from a variable", "require [\"regex\",\"variables\",\"fileinto\"];\nset \"r\" \"[\";\nif header :regex \"subject\" \"${r}\" { fileinto \"x\"; }\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, c.script, coyote, Envelope{}, RunOptions{})
			if !errors.Is(res.Err, ErrRuntime) {
				t.Fatalf("Err = %v, want ErrRuntime", res.Err)
			}
			if got := summary(res.Actions); got != "keep" {
				t.Errorf("actions = %s, want keep", got)
			}
		})
	}
	var inc *ext.ErrIncompatible
	if res := run(t, cases[0].script, coyote, Envelope{}, RunOptions{}); !errors.As(res.Err, &inc) {
		t.Errorf("reject after keep: %v, want *ext.ErrIncompatible", res.Err)
	}
}

func TestExplain(t *testing.T) {
	script := `require ["fileinto", "imap4flags"];
# lists
if header :contains "list-id" "golang-nuts" {
    fileinto "Lists/Go";
} elsif allof (address :domain "from" "desert.example.org",
               header :contains "subject" "present") {
    addflag "\\Flagged";
    if true { fileinto :copy "Coyote"; }
}
`
	script = strings.Replace(script, "fileinto :copy", "fileinto", 1)
	res := run(t, script, coyote, Envelope{}, RunOptions{Explain: true})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	ex := res.Explain
	if ex == nil || len(ex.Rules) != 2 {
		t.Fatalf("explanation = %+v, want 2 rules", ex)
	}
	r := ex.Rules[0]
	if r.Line != 5 || r.Test != "allof" || !strings.HasPrefix(r.Source, "} elsif allof") {
		t.Errorf("rule = %+v, want the elsif of line 5", r)
	}
	got := []string{}
	for _, m := range r.Matched {
		got = append(got, m.Field+"="+m.Value)
	}
	if strings.Join(got, ";") != "from=desert.example.org;subject=I have a present for you" {
		t.Errorf("matched %v", got)
	}
	if in := ex.Rules[1]; in.Line != 8 || len(in.Actions) != 1 || in.Actions[0].Mailbox != "Coyote" {
		t.Errorf("inner rule = %+v, want line 8 filing into Coyote", in)
	}
	if summary(ex.Actions) != `fileinto:Coyote[\Flagged]` {
		t.Errorf("actions = %s", summary(ex.Actions))
	}
	if s := ex.Rules[0].Matched[1].String(); s != `subject "I have a present for you" (key "present")` {
		t.Errorf("match string = %s", s)
	}
}

func TestExplainNoMatch(t *testing.T) {
	res := run(t, `if header :is "subject" "nothing" { discard; }`, coyote, Envelope{}, RunOptions{Explain: true})
	if len(res.Explain.Rules) != 0 || summary(res.Explain.Actions) != "keep" || !res.Explain.Actions[0].Implicit {
		t.Errorf("explanation = %+v, want no rule and the implicit keep", res.Explain)
	}
}

func TestPrepareRedirect(t *testing.T) {
	msg := []byte(coyote)
	out, err := PrepareRedirect(msg, "bob@example.org")
	if err != nil || !strings.HasPrefix(string(out), RedirectField+": bob@example.org\r\n") {
		t.Fatalf("first redirect: %q, %v", out[:60], err)
	}
	if _, err := PrepareRedirect(out, "Bob@Example.org"); !errors.Is(err, ErrRedirectLoop) {
		t.Errorf("same address again: %v, want ErrRedirectLoop", err)
	}
	for i := 0; i < MaxRedirectHops-1; i++ {
		if out, err = PrepareRedirect(out, string(rune('a'+i))+"@x.org"); err != nil {
			t.Fatalf("hop %d: %v", i+2, err)
		}
	}
	if _, err := PrepareRedirect(out, "new@x.org"); !errors.Is(err, ErrRedirectLoop) {
		t.Errorf("hop %d: %v, want ErrRedirectLoop", MaxRedirectHops+1, err)
	}
}

func TestVacationDecisions(t *testing.T) {
	v := ext.Vacation{Days: 7, Reason: "Away until Monday.", Handle: "h"}
	base := "From: Wile <coyote@desert.example.org>\r\nTo: me@example.com\r\nSubject: Hi\r\nMessage-ID: <1@desert>\r\n"
	cases := []struct {
		name, extra, from, why string
	}{
		{"answered", "", "coyote@desert.example.org", ""},
		{"bounce", "", "", "bounce"},
		{"mailer-daemon", "", "MAILER-DAEMON@desert.example.org", "robot"},
		{"list request", "", "sieve-request@ietf.org", "robot"},
		{"list-id", "List-Id: <sieve.ietf.org>\r\n", "coyote@desert.example.org", "mailing list"},
		{"precedence bulk", "Precedence: bulk\r\n", "coyote@desert.example.org", "bulk"},
		{"precedence junk", "Precedence: junk\r\n", "coyote@desert.example.org", "bulk"},
		{"auto-submitted", "Auto-Submitted: auto-replied\r\n", "coyote@desert.example.org", "automatically"},
		{"auto-submitted no", "Auto-Submitted: no\r\n", "coyote@desert.example.org", ""},
		{"not to me", "", "coyote@desert.example.org", "To or Cc"},
		{"from me", "", "me@example.com", "the user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := base + c.extra + "\r\nhello\r\n"
			if c.name == "not to me" {
				msg = strings.Replace(msg, "To: me@example.com", "To: other@example.com", 1)
			}
			r, err := VacationReply(context.Background(), v, Message{Raw: []byte(msg), Envelope: Envelope{From: c.from, To: "me@example.com"}},
				VacationOptions{Addresses: []string{"me@example.com"}, Hostname: "mx.example.com"})
			var no *NoReply
			if c.why == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{"To: coyote@desert.example.org\r\n", "Subject: Auto: Hi\r\n", "In-Reply-To: <1@desert>\r\n", "Auto-Submitted: auto-replied", "\r\n\r\nAway until Monday.\r\n"} {
					if !strings.Contains(string(r.Data), want) {
						t.Errorf("reply lacks %q:\n%s", want, r.Data)
					}
				}
				return
			}
			if !errors.As(err, &no) || !strings.Contains(no.Why, c.why) {
				t.Errorf("err = %v, want a NoReply about %q", err, c.why)
			}
		})
	}
}

// TestVacationOnce: the memory answers a sender once per :days, and again
// after them.
func TestVacationOnce(t *testing.T) {
	mem := OpenVacationMemory(t.TempDir())
	v := ext.Vacation{Days: 2, Reason: "Away.", Handle: "h"}
	msg := Message{Raw: []byte("From: a@x.org\r\nTo: me@y.org\r\nSubject: s\r\n\r\nb\r\n"), Envelope: Envelope{From: "a@x.org", To: "me@y.org"}}
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	send := func(at time.Time) error {
		_, err := VacationReply(context.Background(), v, msg, VacationOptions{Addresses: []string{"me@y.org"}, Memory: mem, Now: at, Account: "Local"})
		return err
	}
	if err := send(now); err != nil {
		t.Fatal(err)
	}
	var no *NoReply
	if err := send(now.Add(47 * time.Hour)); !errors.As(err, &no) {
		t.Errorf("second reply within 2 days: %v, want NoReply", err)
	}
	if err := send(now.Add(49 * time.Hour)); err != nil {
		t.Errorf("reply after 2 days: %v", err)
	}
	other := v
	other.Handle = "other"
	if _, err := VacationReply(context.Background(), other, msg, VacationOptions{Addresses: []string{"me@y.org"}, Memory: mem, Now: now.Add(50 * time.Hour)}); err != nil {
		t.Errorf("another vacation (handle) answers: %v", err)
	}
}
