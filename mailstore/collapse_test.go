package mailstore

import (
	"context"
	"reflect"
	"testing"
)

// The first message of each thread of a threaded listing carries the
// thread's message and unread counts; a collapsed thread is that message
// alone, in pages too, and ListLength counts the rows the list shows.
func TestCollapsedThreads(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	msgs := []testMsg{
		{id: "a1", subject: "Plan", date: day(1)},
		{id: "b1", subject: "Other", date: day(2)},
		{id: "a2", subject: "Re: Plan", date: day(3), inReplyTo: "a1", refs: "<a1>"},
		{id: "a3", subject: "Re: Plan", date: day(4), inReplyTo: "a2", refs: "<a1> <a2>"},
		{id: "e1", subject: "Alone", date: day(5)},
	}
	ids := map[string]int64{}
	for _, m := range msgs {
		ids[m.id] = add(t, s, inbox, m, AddOptions{}).ID
	}
	if err := s.SetFlags(ctx, []int64{ids["a1"]}, FlagSeen, 0); err != nil {
		t.Fatal(err)
	}
	type row struct {
		id           string
		size, unread int
		collapsed    bool
	}
	rows := func(list []Summary) []row {
		var out []row
		for _, m := range list {
			out = append(out, row{m.MessageID, m.ThreadSize, m.ThreadUnread, m.Collapsed})
		}
		return out
	}
	list, err := s.List(ctx, inbox, ListOptions{Threaded: true})
	if err != nil {
		t.Fatal(err)
	}
	open := []row{{"e1", 1, 1, false}, {"a1", 3, 2, false}, {"a2", 0, 0, false}, {"a3", 0, 0, false}, {"b1", 1, 1, false}}
	if got := rows(list); !reflect.DeepEqual(got, open) {
		t.Fatalf("threaded list:\n got %v\nwant %v", got, open)
	}
	plan := list[1].ThreadID
	opt := ListOptions{Threaded: true, Collapsed: []int64{plan}}
	want := []row{{"e1", 1, 1, false}, {"a1", 3, 2, true}, {"b1", 1, 1, false}}
	whole, err := s.List(ctx, inbox, opt)
	if got := rows(whole); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("collapsed:\n got %v\nwant %v (%v)", got, want, err)
	}
	var paged []row
	for off := 0; off < 4; off++ {
		o := opt
		o.Offset, o.Limit = off, 1
		page, err := s.List(ctx, inbox, o)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, rows(page)...)
	}
	if !reflect.DeepEqual(paged, want) {
		t.Errorf("collapsed, one row a page:\n got %v\nwant %v", paged, want)
	}
	for _, tc := range []struct {
		opt  ListOptions
		want int
	}{
		{ListOptions{}, 5},
		{ListOptions{Collapsed: []int64{plan}}, 5}, // not threaded: nothing collapses
		{ListOptions{Threaded: true}, 5},
		{opt, 3},
	} {
		if n, err := s.ListLength(ctx, inbox, tc.opt); err != nil || n != tc.want {
			t.Errorf("ListLength(%+v) = %d, %v; want %d", tc.opt, n, err, tc.want)
		}
	}
}
