package localmta

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"facteur/localmta/queue"
)

func TestDeliveryLog(t *testing.T) {
	var l deliveryLog
	l.now = func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	changed := l.changed()
	msg := queue.Message{ID: "Q1", From: "fred@truc.fr"}
	results := []queue.Result{
		{Rcpt: "marc@machin.com", Remote: "smtp.machin.com"},
		{Rcpt: "nobody@machin.com", Err: smtpErr(550, 5, 1, 1, "no such user"), Remote: "smtp.machin.com"},
		{Rcpt: "later@machin.com", Err: errors.New("connection refused")},
	}
	if got := l.record(msg, results); len(got) != 3 {
		t.Fatalf("record returned %d results, want them unchanged", len(got))
	}
	select {
	case <-changed:
	default:
		t.Fatal("changed() was not closed by record")
	}
	got := l.list()
	want := []struct {
		rcpt   string
		status DeliveryStatus
	}{{"later@machin.com", Deferred}, {"nobody@machin.com", Failed}, {"marc@machin.com", Delivered}}
	if len(got) != len(want) {
		t.Fatalf("list has %d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Rcpt != w.rcpt || got[i].Status != w.status || got[i].ID != "Q1" || got[i].From != "fred@truc.fr" {
			t.Errorf("event %d = %+v, want %s %s", i, got[i], w.rcpt, w.status)
		}
	}
	if got[2].Detail != "" || got[1].Detail == "" || got[0].Remote != "" || got[2].Remote != "smtp.machin.com" {
		t.Errorf("details or remotes wrong: %+v", got)
	}
}

func TestDeliveryLogKeepsTheLatest(t *testing.T) {
	var l deliveryLog
	for i := range maxDeliveries + 25 {
		l.record(queue.Message{ID: fmt.Sprint(i)}, []queue.Result{{Rcpt: "a@b"}})
	}
	got := l.list()
	if len(got) != maxDeliveries {
		t.Fatalf("list has %d events, want %d", len(got), maxDeliveries)
	}
	if got[0].ID != fmt.Sprint(maxDeliveries+24) || got[len(got)-1].ID != "25" {
		t.Errorf("newest %s, oldest %s; want %d and 25", got[0].ID, got[len(got)-1].ID, maxDeliveries+24)
	}
	if l.record(queue.Message{}, nil) != nil || len(l.list()) != maxDeliveries {
		t.Error("an attempt without results recorded something")
	}
}
