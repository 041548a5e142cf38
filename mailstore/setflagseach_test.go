package mailstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSetFlagsEach gives each message its own change, a message named
// twice in a slice and once more in another getting the three in turn,
// over several slices: every file is renamed, its row agrees, and the
// subscribers hear of every message.
func TestSetFlagsEach(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	var ids []int64
	for i := range 6 {
		ids = append(ids, add(t, s, inbox, testMsg{id: strconv.Itoa(i) + "@each", subject: "m", body: "b"}, AddOptions{}).ID)
	}
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub := s.Subscribe(subCtx)
	in := make(chan []FlagChange, 3)
	in <- []FlagChange{
		{ID: ids[0], Add: FlagSeen},
		{ID: ids[1], Add: FlagFlagged | FlagSeen},
		{ID: ids[2], Add: FlagDraft},
		{ID: ids[2], Remove: FlagDraft, Add: FlagAnswered}, // in turn: answered, not draft
	}
	in <- []FlagChange{{ID: ids[3], Add: FlagFlagged}, {ID: ids[1], Remove: FlagSeen}, {ID: 1 << 40, Add: FlagSeen}}
	in <- nil
	close(in)
	if err := s.SetFlagsEach(ctx, in); err != nil {
		t.Fatal(err)
	}
	want := []Flags{FlagSeen, FlagFlagged, FlagAnswered, FlagFlagged, 0, 0}
	for i, id := range ids {
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Path(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Flags != want[i] || (want[i] != 0 && !strings.HasSuffix(p, "2,"+want[i].Maildir())) {
			t.Errorf("message %d: flags %v, file %s; want %v", i, m.Flags, p, want[i])
		}
	}
	heard := map[int64]bool{}
	for len(heard) < 4 {
		select {
		case c := <-sub:
			if c.Kind == ChangeFlags {
				for _, id := range c.IDs {
					heard[id] = true
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscribers heard of %v, want the 4 changed", heard)
		}
	}
}

// TestSetFlagsEachLetsOthersInWhenIdle: while the changes of a slow
// sender do not come, SetFlagsEach commits what it did (a reader sees
// it) and lets another writer in; it takes the store again at the next
// change.
func TestSetFlagsEachLetsOthersInWhenIdle(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	a := add(t, s, inbox, testMsg{id: "a@idle", subject: "a", body: "b"}, AddOptions{}).ID
	b := add(t, s, inbox, testMsg{id: "b@idle", subject: "b", body: "b"}, AddOptions{}).ID
	c := add(t, s, inbox, testMsg{id: "c@idle", subject: "c", body: "b"}, AddOptions{}).ID
	in := make(chan []FlagChange)
	done := make(chan error, 1)
	go func() { done <- s.SetFlagsEach(ctx, in) }()
	defer func() {
		if in != nil { // a failure: let SetFlagsEach end
			close(in)
			<-done
		}
	}()
	in <- []FlagChange{{ID: a, Add: FlagSeen}}
	committed := func() bool { // what another connection reads
		m, err := s.Get(ctx, a)
		return err == nil && m.Flags == FlagSeen
	}
	for deadline := time.Now().Add(10 * time.Second); !committed(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first change was not committed while the sender was idle")
		}
	}
	other := make(chan error, 1)
	go func() { other <- s.SetFlags(ctx, []int64{b}, FlagFlagged, 0) }()
	select {
	case err := <-other:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		close(in)
		in = nil
		<-done
		<-other
		t.Fatal("another writer waited for the sender's next change: the store was held while idle")
	}
	in <- []FlagChange{{ID: c, Add: FlagDraft}}
	close(in)
	in = nil
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]Flags{a: FlagSeen, b: FlagFlagged, c: FlagDraft} {
		if m, err := s.Get(ctx, id); err != nil || m.Flags != want {
			t.Errorf("message %d: %v %v, want %v", id, m.Flags, err, want)
		}
	}
}

// TestSetFlagsEachReadOnlyDrains: on a read-only store SetFlagsEach
// fails with ErrReadOnly and still reads its input to the end, so that
// the sender does not block.
func TestSetFlagsEachReadOnlyDrains(t *testing.T) {
	s, dir := openTest(t)
	ctx := context.Background()
	id := add(t, s, inbox, testMsg{id: "a@ro", subject: "a", body: "b"}, AddOptions{}).ID
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	in := make(chan []FlagChange) // unbuffered: every send needs a reader
	done := make(chan error, 1)
	go func() { done <- ro.SetFlagsEach(ctx, in) }()
	for range 3 {
		select {
		case in <- []FlagChange{{ID: id, Add: FlagSeen}}:
		case <-time.After(10 * time.Second):
			t.Fatal("the sender blocked")
		}
	}
	close(in)
	if err := <-done; !errors.Is(err, ErrReadOnly) {
		t.Fatalf("err %v, want ErrReadOnly", err)
	}
}

// TestSetFlagsEachLetsOthersInWhileBusy: changes that keep coming
// without a pause do not keep the store from another writer longer than
// the stream's hold.
func TestSetFlagsEachLetsOthersInWhileBusy(t *testing.T) {
	s, _ := openTest(t)
	s.flagLimits = streamLimits{hold: 5 * time.Millisecond} // no idle commit: the hold alone
	ctx := context.Background()
	a := add(t, s, inbox, testMsg{id: "a@busy", subject: "a", body: "b"}, AddOptions{}).ID
	b := add(t, s, inbox, testMsg{id: "b@busy", subject: "b", body: "b"}, AddOptions{}).ID
	in := make(chan []FlagChange)
	done := make(chan error, 1)
	go func() { done <- s.SetFlagsEach(ctx, in) }()
	stop := make(chan struct{})
	fed := make(chan int)
	running := make(chan struct{}) // closed once the store took a few changes
	// the sender never pauses: \Draft on and off
	go func() {
		n := 0
		defer func() { close(in); fed <- n }()
		for {
			c := FlagChange{ID: a, Add: FlagDraft}
			if n%2 == 1 {
				c = FlagChange{ID: a, Remove: FlagDraft}
			}
			select {
			case in <- []FlagChange{c}:
				// the third slice is read once the store read the second, under its lock
				if n++; n == 3 {
					close(running)
				}
			case <-stop:
				return
			}
		}
	}()
	<-running
	other := make(chan error, 1)
	go func() { other <- s.SetFlags(ctx, []int64{b}, FlagFlagged, 0) }()
	var err error
	select {
	case err = <-other:
	case <-time.After(10 * time.Second):
		close(stop)
		<-fed
		<-done
		<-other
		t.Fatal("another writer waited for the end of a stream that never paused")
	}
	close(stop)
	n := <-fed
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := Flags(0)
	if n%2 == 1 {
		want = FlagDraft
	}
	for id, w := range map[int64]Flags{a: want, b: FlagFlagged} {
		m, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Path(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Flags != w || !strings.HasSuffix(p, "2,"+w.Maildir()) {
			t.Errorf("message %d: %v, file %s; want %v", id, m.Flags, p, w)
		}
	}
}

// TestSetFileKeepsLast: a message given two names in one batch before
// they are written is written once, with the last: one UPDATE ... FROM
// that joined it twice would take either (SQLite leaves it undefined).
func TestSetFileKeepsLast(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	id := add(t, s, inbox, testMsg{id: "twice@keep", subject: "m", body: "b"}, AddOptions{}).ID
	other := add(t, s, inbox, testMsg{id: "other@keep", subject: "m", body: "b"}, AddOptions{}).ID
	b, err := s.beginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := func(id int64) string {
		t.Helper()
		var k string
		if err := b.tx.QueryRow(`SELECT key FROM state WHERE id = ?`, id).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	for _, r := range []struct {
		id    int64
		flags Flags
	}{{id, FlagSeen}, {other, FlagFlagged}, {id, FlagSeen | FlagAnswered}} {
		name := fileName{Key: key(r.id), Flags: r.flags, Info: "2," + r.flags.Maildir()}
		if err := b.setFile(r.id, subCur, name); err != nil {
			t.Fatal(err)
		}
	}
	if len(b.files) != 2 || b.files[0].flags != FlagSeen|FlagAnswered {
		t.Errorf("rows kept %+v, want two, the first with the last flags", b.files)
	}
	if err := b.flushFiles(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.commit(); err != nil {
		t.Fatal(err)
	}
	for want, id := range map[Flags]int64{FlagSeen | FlagAnswered: id, FlagFlagged: other} {
		if m, err := s.Get(ctx, id); err != nil || m.Flags != want {
			t.Errorf("message %d: flags %v, %v; want %v", id, m.Flags, err, want)
		}
	}
}
