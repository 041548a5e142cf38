package sieve

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzScript compiles any script (the parser of outside input: scripts
// come from the user, from `facteur filter install`, from the GUI's raw
// tab) and runs what compiles: compiling never panics, an error always
// has a position or says why not, and a run always gives at least one
// action.
func FuzzScript(f *testing.F) {
	for _, s := range []string{
		rfcExample1,
		`require ["variables","fileinto"]; if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; stop; }`,
		`require ["body","regex","date","relational","index"]; if anyof(body :text :regex "a+b", date :index 1 :value "ge" "date" "year" "2000") { discard; }`,
		`require ["vacation","imap4flags","copy","fileinto"]; vacation :days 3 :subject "x" "away"; fileinto :copy :flags "\\Seen" "A";`,
		"require \"encoded-character\"; if header :is \"subject\" \"${hex: 41 42}\" { keep; }",
		"text:\r\n.\r\n",
		"/* unterminated",
	} {
		f.Add(s)
	}
	msg := Message{Raw: []byte(coyote), Envelope: Envelope{From: "coyote@desert.example.org", To: "roadrunner@acme.example.com"}}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Compile("fuzz.sieve", []byte(src), Delivery)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v is no *Error", err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res := s.Run(ctx, msg, RunOptions{Explain: true})
		if len(res.Actions) == 0 {
			t.Fatalf("no action for %q", src)
		}
	})
}
