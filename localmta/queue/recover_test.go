package queue

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// names lists the files of a directory.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// spoolBytes returns the queue file of an acknowledged message.
func spoolBytes(t *testing.T, q *Queue, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(q.msgPath(id))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeV1 writes a message the way the first version of the queue did:
// the raw message in ID.msg, its state (version 1) in ID.json.
func writeV1(t *testing.T, dir string, m Message, data string) {
	t.Helper()
	m.Version, m.Size = 1, int64(len(data))
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(msgPath(dir, m.ID), []byte(data), 0o600)
	os.WriteFile(statePath(dir, m.ID), js, 0o600)
}

func bodyOf(t *testing.T, q *Queue, id string) string {
	t.Helper()
	rc, err := q.OpenBody(id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCrashRecovery fakes what kill -9 leaves at each step of Enqueue and
// of a state update: the acknowledged messages are delivered with their
// bytes intact, the rest cleaned.
func TestCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(context.Background(), dir, testOpts())
	acked := enqueue(t, q, "a@b", "c@d")
	full := spoolBytes(t, q, acked.ID)
	// crashes while writing a queue file: cut before the trailer, in
	// the trailer, and a complete length with a page never written
	cut := []string{NewID(), NewID(), NewID()}
	os.WriteFile(msgPath(dir, cut[0]), full[:len(body)+5], 0o600)
	os.WriteFile(msgPath(dir, cut[1]), full[:len(full)-3], 0o600)
	zeroed := slices.Clone(full)
	copy(zeroed[4:10], make([]byte, 6))
	os.WriteFile(msgPath(dir, cut[2]), zeroed, 0o600)
	// crash during a state update of the acknowledged message
	os.WriteFile(q.statePath(acked.ID)+".tmp", []byte("{"), 0o600)
	// crash in remove, between the queue file and the state file
	gone := NewID()
	os.WriteFile(statePath(dir, gone), []byte("{}"), 0o600)
	// a state file that cannot be read: moved aside, not deleted
	bad := NewID()
	os.WriteFile(msgPath(dir, bad), []byte(body), 0o600)
	os.WriteFile(statePath(dir, bad), []byte("garbage"), 0o600)

	q2, err := Open(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if list := q2.List(); len(list) != 1 || list[0].ID != acked.ID || list[0].Size != int64(len(body)) {
		t.Fatalf("recovered %+v", list)
	}
	if left := names(t, dir); !slices.Equal(left, []string{acked.ID + ".msg", "corrupt"}) {
		t.Fatalf("left: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "corrupt", bad+".msg")); err != nil {
		t.Fatal("unreadable message not kept aside")
	}
	d := &recorder{done: make(chan string, 1), fn: func(Message, string, int) error { return nil }}
	stop := run(t, q2, d)
	defer stop()
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		t.Fatal("recovered message not delivered")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bodies[0] != body {
		t.Fatalf("delivered body %q", d.bodies[0])
	}
}

// TestStateFileOverridesQueueFile: after a failed attempt the state goes
// to ID.json, which a restart reads instead of the queue file's.
func TestStateFileOverridesQueueFile(t *testing.T) {
	dir := t.TempDir()
	opt := testOpts()
	opt.MinBackoff, opt.MaxBackoff = time.Hour, time.Hour
	q, _ := Open(context.Background(), dir, opt)
	d := &recorder{fn: func(m Message, rcpt string, n int) error {
		if rcpt == "later@x" {
			return errors.New("try again")
		}
		return nil
	}}
	stop := run(t, q, d)
	m := enqueue(t, q, "a@b", "now@x", "later@x")
	waitFor(t, "first attempt", func() bool { g, _ := q.Get(m.ID); return g.Attempts == 1 })
	stop()
	q2, err := Open(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	g, err := q2.Get(m.ID)
	if err != nil || g.Rcpts[0].Status != StatusDelivered || g.Rcpts[1].Status != StatusPending || g.Size != int64(len(body)) {
		t.Fatalf("after restart: %+v, %v", g, err)
	}
	if got := bodyOf(t, q2, m.ID); got != body {
		t.Fatalf("body %q", got)
	}
	if err := q2.Delete(m.ID); err != nil {
		t.Fatal(err)
	}
	if left := names(t, dir); len(left) != 0 {
		t.Fatalf("left after Delete: %v", left)
	}
}

// TestMigrateV1Spool: a spool left by the first version (raw ID.msg and
// ID.json) is rewritten as queue files on Open and delivered intact; a
// migration cut by a crash (new queue file, old state still there) is
// finished.
func TestMigrateV1Spool(t *testing.T) {
	dir := t.TempDir()
	arrived := time.Now().Add(-time.Minute).Truncate(time.Second)
	old := Message{ID: NewID(), From: "a@b", Rcpts: []Rcpt{{Addr: "c@d", Status: StatusPending}}, Arrived: arrived, NextTry: arrived}
	writeV1(t, dir, old, body)
	half := old
	half.ID = NewID()
	writeV1(t, dir, half, body)
	q, err := Open(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	// the state of half as the first version wrote it, beside its
	// migrated queue file: a crash before the old state was removed
	half.Version, half.Size = 1, int64(len(body))
	js, _ := json.Marshal(half)
	os.WriteFile(statePath(dir, half.ID), js, 0o600)

	q, err = Open(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{half.ID + ".msg", old.ID + ".msg"}
	slices.Sort(want)
	if left := names(t, dir); !slices.Equal(left, want) {
		t.Fatalf("files after migration: %v", left)
	}
	for _, id := range []string{old.ID, half.ID} {
		g, err := q.Get(id)
		if err != nil || !g.Arrived.Equal(arrived) || g.From != "a@b" || g.Size != int64(len(body)) {
			t.Fatalf("migrated %s: %+v, %v", id, g, err)
		}
		if got := bodyOf(t, q, id); got != body {
			t.Fatalf("migrated body %q", got)
		}
	}
}

// TestReadSpool lists, without opening the queue, the messages of every
// kind of file, and skips a queue file still being written.
func TestReadSpool(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(context.Background(), dir, testOpts())
	fresh := enqueue(t, q, "a@b", "c@d")
	held := enqueue(t, q, "a@b", "e@f")
	if err := q.Hold(held.ID); err != nil {
		t.Fatal(err)
	}
	v1 := Message{ID: NewID(), From: "g@h", Rcpts: []Rcpt{{Addr: "i@j", Status: StatusPending}}, Arrived: time.Now()}
	writeV1(t, dir, v1, body)
	os.WriteFile(msgPath(dir, NewID()), []byte("being written"), 0o600)
	var warned []string
	list, err := ReadSpool(dir, func(id string, err error) { warned = append(warned, id+": "+err.Error()) })
	if err != nil || len(warned) != 0 {
		t.Fatalf("ReadSpool: %v %v", err, warned)
	}
	var got []string
	for _, m := range list {
		got = append(got, m.ID+" "+strings.Join(m.Pending(), ","))
	}
	want := []string{fresh.ID + " c@d", held.ID + " e@f", v1.ID + " i@j"}
	if !slices.Equal(got, want) || !list[1].Held || list[0].Size != int64(len(body)) {
		t.Fatalf("ReadSpool: %v %+v", got, list)
	}
}

// TestQueueFileTrailer: the trailer is a commit mark that matches only
// its own file.
func TestQueueFileTrailer(t *testing.T) {
	q, _ := Open(context.Background(), t.TempDir(), testOpts())
	m := enqueue(t, q, "a@b", "c@d")
	full := spoolBytes(t, q, m.ID)
	tail := full[len(full)-trailerLen:]
	if _, err := parseTrailer(tail, int64(len(full))); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{int64(len(full)) - 1, int64(len(full)) + 1} {
		if _, err := parseTrailer(tail, size); !errors.Is(err, ErrIncomplete) {
			t.Errorf("size %d: %v", size, err)
		}
	}
	if !strings.HasPrefix(string(full), body) || strings.Contains(string(full), "\n\n") {
		t.Fatalf("queue file %q", full)
	}
}

// messageFiles lists the files of a directory but its spare files.
func messageFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, n := range names(t, dir) {
		if !strings.HasSuffix(n, spareExt) {
			out = append(out, n)
		}
	}
	return out
}

// TestSpareFiles: a delivered message's queue file becomes a spare that
// the next message overwrites (same inode, no file created), and a spare
// is never taken for a message, whatever it holds, after a restart too.
func TestSpareFiles(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(context.Background(), dir, testOpts())
	d := &recorder{done: make(chan string, 4), fn: func(Message, string, int) error { return nil }}
	stop := run(t, q, d)
	first := enqueue(t, q, "a@b", "c@d")
	<-d.done
	waitFor(t, "first message retired", func() bool { return len(q.List()) == 0 })
	stop()
	spare, err := os.Stat(q.sparePath(first.ID))
	if err != nil {
		t.Fatalf("no spare after delivery: %v (files %v)", err, names(t, dir))
	}
	// On Windows a FileInfo reads its file ID lazily, by path: read it
	// now, while the spare has the name it will lose.
	os.SameFile(spare, spare)
	const short = "Subject: s\r\n\r\nx\r\n" // shorter: the spare's end must go
	second, err := q.Enqueue(context.Background(), Message{From: "a@b", Rcpts: []Rcpt{{Addr: "e@f"}}}, strings.NewReader(short))
	if err != nil {
		t.Fatal(err)
	}
	now, err := os.Stat(q.msgPath(second.ID))
	if err != nil || !os.SameFile(spare, now) {
		t.Fatalf("the spare was not reused: %v", err)
	}
	// a complete queue file kept as a spare is not a message
	os.WriteFile(filepath.Join(dir, NewID()+spareExt), spoolBytes(t, q, second.ID), 0o600)
	q2, err := Open(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if list := q2.List(); len(list) != 1 || list[0].ID != second.ID {
		t.Fatalf("after restart: %+v", list)
	}
	if got := bodyOf(t, q2, second.ID); got != short {
		t.Fatalf("body read from the recycled file: %q", got)
	}
	if list, _ := ReadSpool(dir, func(string, error) {}); len(list) != 1 {
		t.Fatalf("ReadSpool lists %d", len(list))
	}
	third := enqueue(t, q2, "a@b", "g@h")
	if got := bodyOf(t, q2, third.ID); got != body || len(messageFiles(t, dir)) != 2 {
		t.Fatalf("body %q, files %v", got, names(t, dir))
	}
}

// TestOpenReaderKeepsFile: a queue file with a reader still open when its
// message is delivered is unlinked, not recycled: the reader goes on
// reading its own bytes while the next message is written.
func TestOpenReaderKeepsFile(t *testing.T) {
	dir := t.TempDir()
	q, _ := Open(context.Background(), dir, testOpts())
	m := enqueue(t, q, "a@b", "c@d")
	q, _ = Open(context.Background(), dir, testOpts()) // nothing in memory: read from the file
	rc, err := q.OpenBody(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	d := &recorder{done: make(chan string, 1), fn: func(Message, string, int) error { return nil }}
	stop := run(t, q, d)
	<-d.done
	waitFor(t, "message retired", func() bool { return len(q.List()) == 0 })
	stop()
	other := strings.Repeat("x", len(body))
	if _, err := q.Enqueue(context.Background(), Message{From: "a@b", Rcpts: []Rcpt{{Addr: "e@f"}}}, strings.NewReader(other)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != body {
		t.Fatalf("open reader got %q, %v", got, err)
	}
	if n := len(names(t, dir)) - len(messageFiles(t, dir)); n != 0 {
		t.Fatalf("%d spare files from a file still open", n)
	}
}

// FuzzParseTrailer: the trailer of a queue file (the commit mark read back
// at recovery) never panics, and what String writes reads back the same.
func FuzzParseTrailer(f *testing.F) {
	f.Add(trailer{body: 5120, state: 230, crc: 0xdeadbeef}.String(), int64(5120+230+1+trailerLen))
	f.Add("facteur-queue 0000000000000000 00000000 00000000\n", int64(0))
	f.Add("garbage", int64(-1))
	f.Fuzz(func(t *testing.T, line string, size int64) {
		tr, err := parseTrailer([]byte(line), size)
		if err != nil {
			return
		}
		if got := tr.String(); got != line {
			t.Fatalf("parsed %q, writes back %q", line, got)
		}
	})
}
