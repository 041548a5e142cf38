package sieve

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// fiftyRules is a script of 50 rules of the kinds people write: senders,
// lists, subjects, a few matches and regular expressions, none of which
// matches the benchmark's message until the last.
func fiftyRules() string {
	var b strings.Builder
	b.WriteString(`require ["fileinto", "imap4flags", "regex", "variables", "envelope", "subaddress"];` + "\n")
	for i := 0; i < 50; i++ {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "if address :is \"from\" \"sender%d@example.org\" { fileinto \"People/%d\"; stop; }\n", i, i)
		case 1:
			fmt.Fprintf(&b, "if header :contains \"list-id\" \"list%d.example.org\" { fileinto \"Lists/%d\"; stop; }\n", i, i)
		case 2:
			fmt.Fprintf(&b, "if header :matches \"subject\" \"*[project%d]*\" { addflag \"$Project%d\"; fileinto \"Projects\"; stop; }\n", i, i)
		case 3:
			fmt.Fprintf(&b, "if header :regex \"x-mailer\" \"^tool%d [0-9]+$\" { fileinto \"Tools\"; stop; }\n", i)
		case 4:
			fmt.Fprintf(&b, "if envelope :detail \"to\" \"tag%d\" { fileinto \"Tags/%d\"; stop; }\n", i, i)
		}
	}
	b.WriteString("if header :contains \"subject\" \"present\" { fileinto \"Coyote\"; }\n")
	return b.String()
}

// BenchmarkRun50Rules is the cost that filtering adds to each delivered
// message: a 50-rule script run on a message (the goal: under 1 ms).
func BenchmarkRun50Rules(b *testing.B) {
	s, err := Compile("bench.sieve", []byte(fiftyRules()), Delivery)
	if err != nil {
		b.Fatal(err)
	}
	msg := Message{Raw: []byte(coyote), Envelope: Envelope{From: "coyote@desert.example.org", To: "roadrunner+x@acme.example.com"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res := s.Run(ctx, msg, RunOptions{})
		if res.Err != nil || len(res.Actions) != 1 || res.Actions[0].Mailbox != "Coyote" {
			b.Fatalf("%+v", res)
		}
	}
}

// BenchmarkCompile50Rules is the cost of reading the script, paid once
// per delivery when the script is not cached.
func BenchmarkCompile50Rules(b *testing.B) {
	src := []byte(fiftyRules())
	for b.Loop() {
		if _, err := Compile("bench.sieve", src, Delivery); err != nil {
			b.Fatal(err)
		}
	}
}
