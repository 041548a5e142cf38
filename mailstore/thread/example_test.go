package thread_test

import (
	"fmt"
	"strings"
	"time"

	"facteur/mailstore/thread"
)

func ExampleBuild() {
	t0 := time.Date(2000, 5, 11, 18, 0, 0, 0, time.UTC)
	items := []thread.Item{
		{ID: 1, MessageID: "<a@truc.fr>", Subject: "test itineraire", Date: t0},
		{ID: 2, MessageID: "<b@machin.com>", InReplyTo: []string{"<a@truc.fr>"}, Subject: "Re: test itineraire", Date: t0.Add(time.Hour)},
		{ID: 3, MessageID: "<c@truc.fr>", References: []string{"<a@truc.fr>", "<b@machin.com>"}, Subject: "Re: Re: test itineraire", Date: t0.Add(2 * time.Hour)},
		{ID: 4, MessageID: "<d@uvsq.fr>", Subject: "essai", Date: t0.Add(30 * time.Minute)},
		{ID: 5, Subject: "AW: essai", Date: t0.Add(40 * time.Minute)}, // no references: joined by subject
	}
	thread.Walk(thread.Build(items), func(n *thread.Node, depth int) {
		fmt.Printf("%s%d %s\n", strings.Repeat("  ", depth), n.Item.ID, n.Item.Subject)
	})
	// Output:
	// 1 test itineraire
	//   2 Re: test itineraire
	//     3 Re: Re: test itineraire
	// 4 essai
	//   5 AW: essai
}
