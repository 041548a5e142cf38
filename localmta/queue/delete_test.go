package queue

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
)

// TestDeleteDuringAttempt: a message deleted while it is being delivered
// stays deleted: the end of the attempt does not write its state back.
func TestDeleteDuringAttempt(t *testing.T) {
	opt := testOpts()
	opt.Workers = 1 // the second message starts once the first attempt has finished
	q, err := Open(context.Background(), t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	first := enqueue(t, q, "a@b", "c@d")
	started, resume, next := make(chan struct{}), make(chan struct{}), make(chan struct{})
	d := DelivererFunc(func(ctx context.Context, m Message, open func() (io.ReadCloser, error)) []Result {
		if m.ID != first.ID {
			close(next)
			<-ctx.Done()
			return nil
		}
		close(started)
		<-resume
		return []Result{{Rcpt: "c@d", Err: errors.New("try again")}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, d) }()
	<-started
	if err := q.Delete(first.ID); err != nil {
		t.Fatal(err)
	}
	enqueue(t, q, "a@b", "e@f")
	close(resume)
	<-next
	cancel()
	<-done
	for _, p := range []string{q.statePath(first.ID), q.msgPath(first.ID)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Delete: %v", p, err)
		}
	}
}
