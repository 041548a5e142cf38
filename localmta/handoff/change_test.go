package handoff_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"facteur/localmta"
	"facteur/localmta/handoff"
	"facteur/localmta/queue"
)

// queueState is each message of the spool: "ID" or "ID!" when held.
func queueState(t *testing.T, dir string) []string {
	t.Helper()
	list, err := queue.ReadSpool(localmta.QueueDir(dir), func(id string, err error) { t.Errorf("%s: %v", id, err) })
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		s := m.ID
		if m.Held {
			s += "!"
		}
		out = append(out, s)
	}
	return out
}

// change runs c.Change and returns each id's outcome.
func change(t *testing.T, c *handoff.Client, op handoff.Op, ids ...string) (handoff.Where, map[string]error) {
	t.Helper()
	got := map[string]error{}
	where, err := c.Change(context.Background(), op, ids, func(id string, err error) { got[id] = err })
	if err != nil {
		t.Fatal(err)
	}
	return where, got
}

// Without a running MTA, hold, release and delete change the spool itself,
// under the directory's lock; an unknown id is queue.ErrNotFound, and a
// flush says that no MTA runs.
func TestChangeWithoutMTA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mta")
	c := &handoff.Client{Dir: dir}
	m, _, err := c.Enqueue(context.Background(), relayMessage(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	const unknown = "0000000000000000"
	steps := []struct {
		op   handoff.Op
		want []string
	}{
		{handoff.Hold, []string{m.ID + "!"}},
		{handoff.Release, []string{m.ID}},
		{handoff.Delete, nil},
	}
	for _, st := range steps {
		where, got := change(t, c, st.op, m.ID, unknown)
		if where.Running() || got[m.ID] != nil || !errors.Is(got[unknown], queue.ErrNotFound) {
			t.Fatalf("op %d: where %+v, outcomes %v", st.op, where, got)
		}
		if q := queueState(t, dir); strings.Join(q, " ") != strings.Join(st.want, " ") {
			t.Fatalf("op %d: queue %v, want %v", st.op, q, st.want)
		}
	}
	if _, err := c.Flush(context.Background()); !errors.Is(err, handoff.ErrNotRunning) {
		t.Errorf("Flush without an MTA = %v, want ErrNotRunning", err)
	}
}

// With an MTA running, the changes go to it over its control socket.
func TestChangeThroughTheRunningMTA(t *testing.T) {
	sys, _, dir := running(t)
	c := &handoff.Client{Dir: dir}
	const unknown = "0000000000000000"
	where, got := change(t, c, handoff.Hold, unknown)
	if where.PID != os.Getpid() || !errors.Is(got[unknown], queue.ErrNotFound) {
		t.Fatalf("where %+v, outcome %v; want the running MTA's ErrNotFound", where, got[unknown])
	}
	m, _, err := c.Enqueue(context.Background(), relayMessage(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, got := change(t, c, handoff.Hold, m.ID); got[m.ID] != nil {
		t.Fatalf("hold: %v", got[m.ID])
	}
	if list, _ := sys.Queue(); len(list) != 1 || !list[0].Held {
		t.Fatalf("the running MTA's queue after hold: %+v", list)
	}
	if where, err := c.Flush(context.Background()); err != nil || where.PID != os.Getpid() {
		t.Fatalf("Flush = %+v, %v", where, err)
	}
	if _, got := change(t, c, handoff.Delete, m.ID); got[m.ID] != nil {
		t.Fatalf("delete: %v", got[m.ID])
	}
	if list, _ := sys.Queue(); len(list) != 0 {
		t.Fatalf("the running MTA's queue after delete: %+v", list)
	}
}
