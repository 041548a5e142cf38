package control

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"facteur/localmta/queue"
)

// running is an MTA stand-in: a queue, the lock and the control socket.
type running struct {
	dir  string
	q    *queue.Queue
	srv  *Server
	stop context.CancelFunc
	done chan error
}

func startRunning(t *testing.T) *running {
	t.Helper()
	dir := t.TempDir()
	lock, err := TryLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(context.Background(), dir+"/queue", queue.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(context.Background(), dir, q, Info{SMTP: []string{"127.0.0.1:2525"}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{dir: dir, q: q, srv: srv, stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
		lock.Unlock()
	})
	return r
}

func (r *running) enqueue(t *testing.T) string {
	t.Helper()
	m, err := r.q.Enqueue(context.Background(), queue.Message{From: "fred@truc.fr", Rcpts: []queue.Rcpt{{Addr: "marc@machin.com"}}},
		strings.NewReader("Subject: x\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func TestConnectWithoutMTA(t *testing.T) {
	dir := t.TempDir()
	c, lock, err := Connect(context.Background(), dir)
	if err != nil || c != nil || lock == nil {
		t.Fatalf("Connect = %v, %v, %v; want the lock", c, lock, err)
	}
	if _, err := TryLock(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second TryLock: %v, want ErrLocked", err)
	}
	// a holder that publishes no socket: the caller gives up
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, _, err := Connect(ctx, dir); !errors.Is(err, ErrNotResponding) {
		t.Fatalf("Connect while locked: %v, want ErrNotResponding", err)
	}
	lock.Unlock()
	l2, err := TryLock(dir)
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	l2.Unlock()
}

func TestAcquireLockWaits(t *testing.T) {
	dir := t.TempDir()
	held, err := TryLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { held.Unlock() })
	l, err := AcquireLock(context.Background(), dir, 5*time.Second)
	if err != nil {
		t.Fatalf("AcquireLock: %v", err)
	}
	defer l.Unlock()
	if _, err := AcquireLock(context.Background(), dir, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("AcquireLock on a held lock: %v", err)
	}
}

func TestControlRequests(t *testing.T) {
	r := startRunning(t)
	id := r.enqueue(t)
	c, lock, err := Connect(context.Background(), r.dir)
	if err != nil || lock != nil {
		t.Fatalf("Connect = %v, %v", lock, err)
	}
	if got := c.Info().SMTP; len(got) != 1 || got[0] != "127.0.0.1:2525" {
		t.Fatalf("Info().SMTP = %v", got)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		do   func() error
		want error
		held bool
	}{
		{"hold", func() error { return c.Hold(ctx, id) }, nil, true},
		{"flush keeps held", func() error { return c.Flush(ctx) }, nil, true},
		{"release", func() error { return c.Release(ctx, id) }, nil, false},
		{"hold unknown", func() error { return c.Hold(ctx, "0000000000000000") }, queue.ErrNotFound, false},
		{"hold bad id", func() error { return c.Hold(ctx, "../../etc") }, queue.ErrNotFound, false},
		{"unknown verb", func() error { return c.do(ctx, "FROB", id) }, ErrProtocol, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			m, err := r.q.Get(id)
			if err != nil || m.Held != tt.held {
				t.Fatalf("Get = %+v, %v; want held %v", m, err, tt.held)
			}
		})
	}
	if err := c.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := r.q.Get(id); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	bad := &Client{info: c.Info()}
	bad.info.Token = "nope"
	if err := bad.Ping(ctx); !errors.Is(err, ErrDenied) {
		t.Fatalf("bad token: %v", err)
	}
}

func TestServeRemovesInfo(t *testing.T) {
	r := startRunning(t)
	if _, err := ReadInfo(r.dir); err != nil {
		t.Fatal(err)
	}
	r.stop()
	if err := <-r.done; err != nil {
		t.Fatal(err)
	}
	r.done <- nil
	if _, err := os.Stat(InfoFile(r.dir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("control.json after stop: %v", err)
	}
}
