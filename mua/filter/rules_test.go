package filter

import (
	"context"
	"errors"
	"net/mail"
	"reflect"
	"strings"
	"testing"

	"facteur/internal/sieve"
)

// TestRulesWriteSieve: each form rule becomes a Sieve test and action that
// compiles and does what the form says on a message.
func TestRulesWriteSieve(t *testing.T) {
	m := msg("Weekly digest", "List-Id: Go nuts <golang-nuts.googlegroups.com>")
	tests := []struct {
		rule FormRule
		line string   // the rule's line in the script
		want []string // the actions on m
	}{
		{FormRule{Field: "List-Id", Match: MatchContains, Value: "golang-nuts", Action: ActMove, Arg: "Lists/Go"},
			`if header :contains "List-Id" "golang-nuts" { fileinto "Lists/Go"; }`, []string{`file into "Lists/Go"`}},
		{FormRule{Field: "From", Match: MatchIs, Value: "fred@truc.fr", Action: ActCopy, Arg: "Fred"},
			`if address :all :is "From" "fred@truc.fr" { fileinto :copy "Fred"; }`, []string{`file into "Fred" (copy)`, "keep in INBOX (implicit keep)"}},
		{FormRule{Field: "Subject", Match: MatchMatches, Value: "weekly *", Action: ActRead},
			`if header :matches "Subject" "weekly *" { addflag "\\Seen"; }`, []string{`keep in INBOX (implicit keep) with flags \Seen`}},
		{FormRule{Field: "To", Match: MatchContains, Value: "machin.com", Action: ActFlag},
			`if address :all :contains "To" "machin.com" { addflag "\\Flagged"; }`, []string{`keep in INBOX (implicit keep) with flags \Flagged`}},
		{FormRule{Field: "Subject", Match: MatchContains, Value: `say "hi" \o/`, Action: ActDelete},
			`if header :contains "Subject" "say \"hi\" \\o/" { discard; }`, []string{"keep in INBOX (implicit keep)"}},
		{FormRule{Field: "Subject", Match: MatchContains, Value: "Digest", Action: ActDelete},
			`if header :contains "Subject" "Digest" { discard; }`, []string{"discard"}},
		{FormRule{Field: "Subject", Match: MatchContains, Value: "digest", Action: ActForward, Arg: "boss@truc.fr"},
			`if header :contains "Subject" "digest" { redirect :copy "boss@truc.fr"; }`, []string{"redirect to boss@truc.fr (copy)", "keep in INBOX (implicit keep)"}},
		{FormRule{Field: "Subject", Match: MatchContains, Value: "digest", Action: ActReply, Arg: "Away"},
			`if header :contains "Subject" "digest" { vacation :days 1 "Away"; }`, []string{"vacation reply (at most once every 1 days)", "keep in INBOX (implicit keep)"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule.Action, func(t *testing.T) {
			src, err := Rules([]FormRule{tt.rule})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(src, "\n"+tt.line+"\n") {
				t.Fatalf("script lacks %q:\n%s", tt.line, src)
			}
			s, err := sieve.Compile("rules", []byte(src), sieve.Client)
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			res := s.Run(context.Background(), sieve.Message{Raw: []byte(m), Envelope: sieve.Envelope{From: "fred@truc.fr", To: "marc@machin.com"}}, sieve.RunOptions{})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []string
			for _, a := range res.Actions {
				got = append(got, a.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("actions %q, want %q", got, tt.want)
			}
			back, ok := ParseRules(src)
			if !ok || !reflect.DeepEqual(back, []FormRule{tt.rule}) {
				t.Errorf("ParseRules: %+v, %v", back, ok)
			}
		})
	}
}

// TestRulesRefuseBadRules: the editor tells which rule is wrong and why.
func TestRulesRefuseBadRules(t *testing.T) {
	good := FormRule{Field: "Subject", Match: MatchContains, Value: "x", Action: ActFlag}
	for name, r := range map[string]FormRule{
		"empty value":   {Field: "Subject", Match: MatchContains, Action: ActFlag},
		"bad field":     {Field: "Sub ject", Match: MatchContains, Value: "x", Action: ActFlag},
		"no folder":     {Field: "Subject", Match: MatchContains, Value: "x", Action: ActMove},
		"bad address":   {Field: "Subject", Match: MatchContains, Value: "x", Action: ActForward, Arg: "nobody"},
		"bad match":     {Field: "Subject", Match: "regex", Value: "x", Action: ActFlag},
		"bad action":    {Field: "Subject", Match: MatchContains, Value: "x", Action: "explode"},
		"field newline": {Field: "Subject\nX", Match: MatchContains, Value: "x", Action: ActFlag},
	} {
		_, err := Rules([]FormRule{good, r})
		if !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), "rule 2:") {
			t.Errorf("%s: %v, want ErrRule of rule 2", name, err)
		}
	}
}

// TestParseRulesHandEdited: a script not written by Rules, or edited
// since, is not shown as forms.
func TestParseRulesHandEdited(t *testing.T) {
	src, err := Rules([]FormRule{{Field: "Subject", Match: MatchIs, Value: "x", Action: ActDelete}})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"hand written": "require \"fileinto\";\nfileinto \"X\";\n",
		"edited":       strings.Replace(src, "discard;", "discard; stop;", 1),
		"bad json":     strings.Replace(src, "# rule: {", "# rule: {{", 1),
	} {
		if rules, ok := ParseRules(s); ok {
			t.Errorf("%s: parsed as %+v", name, rules)
		}
	}
	if rules, ok := ParseRules(""); !ok || rules != nil {
		t.Errorf("empty script: %+v, %v", rules, ok)
	}
}

// TestRuleLike: "Filter messages like this" starts from the list, else the
// sender, else the subject.
func TestRuleLike(t *testing.T) {
	tests := []struct {
		header string
		want   FormRule
	}{
		{"From: Fred <fred@truc.fr>\r\nList-Id: Go nuts <golang-nuts.googlegroups.com>\r\n",
			FormRule{Field: "List-Id", Match: MatchContains, Value: "golang-nuts.googlegroups.com", Action: ActMove, Arg: "golang-nuts"}},
		{"From: Fred <fred@truc.fr>\r\nSubject: hi\r\n",
			FormRule{Field: "From", Match: MatchIs, Value: "fred@truc.fr", Action: ActMove, Arg: "fred@truc.fr"}},
		{"From: nobody\r\nSubject: =?UTF-8?Q?R=C3=A9union?=\r\n",
			FormRule{Field: "Subject", Match: MatchContains, Value: "Réunion", Action: ActMove}},
	}
	for _, tt := range tests {
		m, err := mail.ReadMessage(strings.NewReader(tt.header + "\r\nbody\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := RuleLike(m.Header); got != tt.want {
			t.Errorf("RuleLike(%q) = %+v, want %+v", tt.header, got, tt.want)
		}
	}
}
