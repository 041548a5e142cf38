package mailstore

import (
	"context"
	"reflect"
	"testing"
)

func TestThreadedList(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	msgs := []testMsg{
		{id: "a1", subject: "Plan", date: day(1)},
		{id: "b1", subject: "Other", date: day(2)},
		{id: "a3", subject: "Re: Plan", date: day(5), inReplyTo: "a2", refs: "<a1> <a2>"}, // before its parent
		{id: "a2", subject: "Re: Plan", date: day(3), inReplyTo: "a1", refs: "<a1>"},
		{id: "a4", subject: "Re: Plan", date: day(4), inReplyTo: "a1", refs: "<a1>"},
		{id: "c1", subject: "Re: Other", date: day(6)}, // no references: subject fallback
		{id: "d2", subject: "Re: Missing", date: day(7), refs: "<d0>"},
		{id: "d3", subject: "Re: Missing", date: day(8), refs: "<d0>"}, // share a missing parent
	}
	ids := map[string]int64{}
	for _, m := range msgs {
		ids[m.id] = add(t, s, inbox, m, AddOptions{}).ID
	}
	list, err := s.List(ctx, inbox, ListOptions{Threaded: true})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id    string
		depth int
	}
	var got []row
	for _, m := range list {
		got = append(got, row{m.MessageID, m.Depth})
	}
	want := []row{
		{"d2", 1}, {"d3", 1}, // newest thread first; under a dummy for d0
		{"b1", 0}, {"c1", 1},
		{"a1", 0}, {"a2", 1}, {"a3", 2}, {"a4", 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("threaded list:\n got %v\nwant %v", got, want)
	}
	sum := map[string]Summary{}
	for _, m := range list {
		sum[m.MessageID] = m
	}
	if sum["a1"].ThreadID != sum["a3"].ThreadID || sum["a1"].ThreadID == sum["b1"].ThreadID ||
		sum["d2"].ThreadID != sum["d3"].ThreadID || sum["b1"].ThreadID != sum["c1"].ThreadID {
		t.Errorf("thread ids: %+v", sum)
	}
	// Pages cut threads anywhere and still join up, whether the page is
	// found from the newest rows or from the cached order of all threads.
	var all []string
	for _, r := range want {
		all = append(all, r.id)
	}
	fi, _ := s.folder(inbox)
	for _, cached := range []bool{false, true} {
		if cached {
			if _, err := s.threadOrder(ctx, fi, SortDate); err != nil {
				t.Fatal(err)
			}
		}
		var paged []string
		for off := 0; off < len(msgs); off += 3 {
			page, err := s.List(ctx, inbox, ListOptions{Threaded: true, Offset: off, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				paged = append(paged, m.MessageID)
			}
		}
		if !reflect.DeepEqual(paged, all) {
			t.Errorf("paged threaded list (cached %v) %v, want %v", cached, paged, all)
		}
	}
	asc, _ := s.List(ctx, inbox, ListOptions{Threaded: true, Ascending: true, Limit: 3})
	if len(asc) != 3 || asc[0].MessageID != "a1" {
		t.Errorf("oldest thread first: %v", subjects(asc))
	}
}

// Threads sorted by sender or subject follow their first message, as in
// Thunderbird; a reply from someone else does not move its thread.
func TestThreadedListSortedBySenderAndSubject(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	for _, m := range []testMsg{
		{id: "z1", subject: "Zebra", from: "Yann <yann@example.org>", date: day(1)},
		{id: "z2", subject: "Re: Zebra", from: "Anna <anna@example.org>", date: day(9), inReplyTo: "z1", refs: "<z1>"},
		{id: "b1", subject: "Budget", from: "Marc <marc@example.org>", date: day(2)},
		{id: "m1", subject: "Menu", from: "Claire <claire@example.org>", date: day(3)},
		{id: "m2", subject: "Re: Menu", from: "Zoé <zoe@example.org>", date: day(4), inReplyTo: "m1", refs: "<m1>"},
	} {
		add(t, s, inbox, m, AddOptions{})
	}
	tests := []struct {
		name string
		opt  ListOptions
		want []string
	}{
		{"sender A to Z", ListOptions{Sort: SortSender, Ascending: true}, []string{"m1", "m2", "b1", "z1", "z2"}},
		{"sender Z to A", ListOptions{Sort: SortSender}, []string{"z1", "z2", "b1", "m1", "m2"}},
		{"subject A to Z", ListOptions{Sort: SortSubject, Ascending: true}, []string{"b1", "m1", "m2", "z1", "z2"}},
		{"subject Z to A", ListOptions{Sort: SortSubject}, []string{"z1", "z2", "m1", "m2", "b1"}},
		{"date, newest first", ListOptions{}, []string{"z1", "z2", "m1", "m2", "b1"}},
		{"date, oldest first", ListOptions{Ascending: true}, []string{"b1", "m1", "m2", "z1", "z2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, step := range []int{5, 2} { // whole, and page by page
				var got []string
				for off := 0; off < 5; off += step {
					opt := tt.opt
					opt.Threaded, opt.Offset, opt.Limit = true, off, step
					page, err := s.List(ctx, inbox, opt)
					if err != nil {
						t.Fatal(err)
					}
					for _, m := range page {
						got = append(got, m.MessageID)
					}
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("pages of %d: %v, want %v", step, got, tt.want)
				}
			}
		})
	}
}
