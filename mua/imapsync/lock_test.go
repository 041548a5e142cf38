package imapsync

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestOneSyncOfAnAccountAtATime(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 3)
	waited := make(chan struct{})
	var once sync.Once
	f := newFixture(t, ts, func(o *Options) { o.Waiting = func() { once.Do(func() { close(waited) }) } })
	// another sync of the account (another process, say) holds the lock
	other, err := f.state.lockAccount(context.Background(), "Machin", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.s.Sync(context.Background())
		done <- err
	}()
	<-waited
	select {
	case err := <-done:
		t.Fatalf("Sync ran beside the other sync: %v", err)
	default:
	}
	if n, _, _ := f.store.Count(context.Background(), f.s.ref("INBOX")); n != 0 {
		t.Fatalf("%d messages stored while the other sync held the account", n)
	}
	other.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, _, _ := f.store.Count(context.Background(), f.s.ref("INBOX")); n != 3 {
		t.Fatalf("%d messages after the other sync ended, want 3", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	held, _ := f.state.lockAccount(ctx, "Machin", nil)
	defer held.Unlock()
	cancel()
	if _, err := f.s.Sync(ctx); err == nil {
		t.Fatal("a cancelled Sync waiting for the lock returned no error")
	}
}

func TestWaitForMailSeesMailThatCameAfterTheSync(t *testing.T) {
	ts := startServer(t)
	ts.appendMsgs(t, "INBOX", 0, 1)
	f := newFixture(t, ts, nil)
	if _, err := f.s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts.appendMsgs(t, "INBOX", 1, 2) // before the IDLE: no EXISTS will come during it
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.s.WaitForMail(ctx); err != nil || ctx.Err() != nil {
		t.Fatalf("WaitForMail = %v (%v): the new message was missed", err, ctx.Err())
	}
}
