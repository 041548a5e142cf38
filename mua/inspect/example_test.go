package inspect_test

import (
	"fmt"
	"os"

	"facteur/mua/inspect"
)

// The route of the course's example message, hop by hop, in travel order.
func ExampleAnalyze() {
	f, err := os.Open("testdata/course-example.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	r, err := inspect.Analyze(f, inspect.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("written %s, %s in the outbox\n", r.Route.Written.Format("15:04:05"), r.Route.Outbox)
	for _, h := range r.Route.Hops {
		delay := ""
		if h.Delay != nil {
			delay = " (" + h.Delay.String() + ")"
		}
		fmt.Printf("%d. %s [%s] -> %s at %s%s, %s\n", h.Index, h.HELO, h.IP, h.By, h.Date.Format("15:04:05"), delay, h.Role)
	}
	fmt.Printf("MAIL FROM %s (%s)\n", r.Envelope.MailFrom, r.Envelope.MailFromSource)
	for _, f := range r.Findings {
		fmt.Println(f.Kind)
	}
	// Output:
	// written 18:19:24, +27 s in the outbox
	// 1. CHRIS [62.161.101.240] -> mahonia.w-n-doo.fr at 18:19:51, submission
	// 2. mahonia.w-n-doo.fr [193.252.19.58] -> alisier.w-n-doo.fr at 18:20:08 (+17 s), relay
	// 3. alisier.w-n-doo.fr [193.252.19.55] -> mail.monaco.net at 18:20:10 (+2 s), delivery
	// MAIL FROM christian.caleca@wanadoo.fr (Return-Path)
	// envelope-sender
}
