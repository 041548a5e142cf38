package sieve

import (
	"context"
	"strings"
	"testing"
	"time"
)

// coyote is the message of RFC 5228's examples.
const coyote = "Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)\r\n" +
	"From: coyote@desert.example.org\r\n" +
	"To: roadrunner@acme.example.com\r\n" +
	"Subject: I have a present for you\r\n" +
	"\r\n" +
	"Look, I'm sorry about the whole anvil thing, and I really\r\n" +
	"didn't mean to try and drop it on you from the top of the\r\n" +
	"cliff.  I want to try to make it up to you.\r\n"

// summary writes actions as "fileinto:filter", "keep[\\Seen]"...
func summary(actions []Action) string {
	var out []string
	for _, a := range actions {
		s := a.Kind
		switch a.Kind {
		case FileInto:
			s += ":" + a.Mailbox
		case Redirect:
			s += ":" + a.Addr
		case Reject, EReject:
			s += ":" + a.Reject.Reason
		case Vacation:
			s += ":" + a.Vacation.Reason
		}
		if a.Copy {
			s += "(copy)"
		}
		if len(a.Flags) > 0 {
			s += "[" + strings.Join(a.Flags, " ") + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func header(fields ...string) string {
	return strings.Join(fields, "\r\n") + "\r\n\r\nbody\r\n"
}

var rfcExample1 = `# Example Sieve Filter (RFC 5228 §9)
require ["fileinto"];
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;               # keep in "In" mailbox
        }
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";   # move to "spam" mailbox
        }
else
        {
        fileinto "personal";
        }
`

// TestRFCExamples runs the examples of RFC 5228 and of each extension's
// RFC on messages made for them.
func TestRFCExamples(t *testing.T) {
	cases := []struct {
		name, script, msg string
		env               Envelope
		want              string
	}{
		{"5228 §9 list", rfcExample1, header("Sender: owner-ietf-mta-filters@imc.org", "To: me@example.com"), Envelope{}, "fileinto:filter"},
		{"5228 §9 company", rfcExample1, header("From: boss@example.com", "To: me@example.com"), Envelope{}, "keep"},
		{"5228 §9 not to me", rfcExample1, header("From: x@else.org", "To: other@else.org"), Envelope{}, "fileinto:spam"},
		{"5228 §9 spam subject", rfcExample1, header("From: x@else.org", "To: me@example.com.au", "Subject: MAKE MONEY FAST now"), Envelope{}, "fileinto:spam"},
		{"5228 §9 personal", rfcExample1, header("From: x@else.org", "To: me@example.com.au", "Subject: hello"), Envelope{}, "fileinto:personal"},
		{"5228 §9 example 2", `require "envelope";
if envelope :all :is "from" "tim@example.com" { discard; }`, coyote, Envelope{From: "tim@example.com"}, "discard"},
		{"5228 §2.10.2 implicit keep", `if false { discard; }`, coyote, Envelope{}, "keep"},
		{"5228 §4.2 redirect", `redirect "bart@example.com";`, coyote, Envelope{}, "redirect:bart@example.com"},
		{"5228 §4.2 redirect + keep", `redirect "bart@example.com"; keep;`, coyote, Envelope{}, "redirect:bart@example.com, keep"},
		{"5228 §5.9 size", `if size :over 100K { discard; }`, coyote, Envelope{}, "keep"},
		{"5228 §5.5 exists", `if not exists ["From","Date"] { discard; }`, coyote, Envelope{}, "keep"},
		{"3894 copy", `require ["copy", "fileinto"]; fileinto :copy "incoming";`, coyote, Envelope{}, "fileinto:incoming(copy), keep"},
		{"3894 redirect copy", `require "copy"; redirect :copy "sent@example.com";`, coyote, Envelope{}, "redirect:sent@example.com(copy), keep"},
		{"5173 body raw", `require "body"; if body :raw :contains "anvil thing" { discard; }`, coyote, Envelope{}, "discard"},
		{"5173 body content", `require ["body","fileinto"];
if body :content "text" :contains "missile" { fileinto "secrets"; }`, header("Content-Type: multipart/mixed; boundary=x") + "--x\r\nContent-Type: text/plain\r\n\r\nthe missile plans\r\n--x--\r\n", Envelope{}, "fileinto:secrets"},
		{"5229 variables list-id", `require ["variables","fileinto"];
if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; stop; }`, header("List-Id: Sieve list <sieve@ietf.org>"), Envelope{}, "fileinto:INBOX.lists.sieve"},
		{"5229 set modifiers", `require ["variables","fileinto"]; set :upperfirst "b" "hello"; fileinto "${b}";`, coyote, Envelope{}, "fileinto:Hello"},
		{"5231 value gt", `require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :value "gt" :comparator "i;ascii-numeric" ["x-priority"] ["3"] { fileinto "low"; }`, header("X-Priority: 5"), Envelope{}, "fileinto:low"},
		{"5231 count ge", `require ["relational","comparator-i;ascii-numeric"];
if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"] { discard; }`, header("To: a@x.org, b@x.org", "Cc: c@x.org"), Envelope{}, "discard"},
		{"5232 setflag fileinto", `require ["imap4flags","fileinto"];
if header :contains "from" "boss@frobnitzm.example.edu" { setflag "\\Flagged"; fileinto "From Boss"; }`, header("From: boss@frobnitzm.example.edu"), Envelope{}, `fileinto:From Boss[\Flagged]`},
		{"5232 fileinto :flags", `require ["imap4flags","fileinto"]; addflag "\\Seen"; fileinto :flags "\\Answered" "A"; fileinto "B";`, coyote, Envelope{}, `fileinto:A[\Answered], fileinto:B[\Seen]`},
		{"5232 implicit keep flags", `require "imap4flags"; addflag "$Junk";`, coyote, Envelope{}, `keep[$Junk]`},
		{"5232 hasflag", `require "imap4flags"; addflag "A B"; if hasflag :is "b" { discard; }`, coyote, Envelope{}, "discard"},
		{"5260 date hour", `require ["date","relational","fileinto"];
if allof(header :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17") { fileinto "urgent"; }`, header("From: boss@example.com", "Date: Tue, 1 Apr 1997 10:06:31 -0800"), Envelope{}, "fileinto:urgent"},
		{"5260 index", `require ["index","fileinto"];
if header :index 2 :contains "received" "relay.example" { fileinto "via-relay"; }`, header("Received: from a by mx.example", "Received: from b by relay.example"), Envelope{}, "fileinto:via-relay"},
		{"5260 index last", `require ["index"]; if header :index 1 :last :contains "received" "first" { discard; }`, header("Received: last hop", "Received: first hop"), Envelope{}, "discard"},
		{"5260 currentdate", `require ["date","relational"]; if currentdate :value "ge" "year" "2000" { discard; }`, coyote, Envelope{}, "discard"},
		{"5230 vacation", `require "vacation";
if header :contains "subject" "cyrus" { vacation "I'm out -- send mail to cyrus-bugs"; }
else { vacation "I'm out -- call me at +1 304 555 0123"; }`, coyote, Envelope{}, "vacation:I'm out -- call me at +1 304 555 0123, keep"},
		{"5233 detail", `require ["envelope","subaddress","fileinto"];
if envelope :detail "to" "mta-filters" { fileinto "inbox.ietf-mta-filters"; }`, coyote, Envelope{To: "ken+mta-filters@example.org"}, "fileinto:inbox.ietf-mta-filters"},
		{"5233 user", `require ["envelope","subaddress"]; if envelope :user "to" "ken" { discard; }`, coyote, Envelope{To: "ken+x@example.org"}, "discard"},
		{"5429 reject", `require ["reject"];
if header :contains "from" "coyote@desert.example.org" { reject "I am not taking mail from you, and I don't want your birdseed, either!"; }`, coyote, Envelope{}, "reject:I am not taking mail from you, and I don't want your birdseed, either!"},
		{"5429 ereject", `require "ereject"; ereject "no";`, coyote, Envelope{}, "ereject:no"},
		{"regex", `require ["regex","variables","fileinto"];
if address :regex :comparator "i;ascii-casemap" "from" "^(coyote|wile)@(.*)$" { fileinto "${2}"; }`, coyote, Envelope{}, "fileinto:desert.example.org"},
		{"2047 subject", `require "fileinto"; if header :contains "subject" "café" { fileinto "fr"; }`, header("Subject: =?utf-8?q?un_caf=C3=A9?="), Envelope{}, "fileinto:fr"},
		{"folded subject", `if header :is "subject" "one two" { discard; }`, header("Subject: one\r\n two"), Envelope{}, "discard"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Compile("test.sieve", []byte(c.script), Delivery)
			if err != nil {
				t.Fatal(err)
			}
			res := s.Run(context.Background(), Message{Raw: []byte(c.msg), Envelope: c.env}, RunOptions{Now: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if got := summary(res.Actions); got != c.want {
				t.Errorf("actions = %s, want %s", got, c.want)
			}
		})
	}
}
