package localmta

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestServeAfterClose: go-smtp's Serve called after Close (its goroutine
// scheduled late) returns ErrServerClosed and closes its listener, rather
// than blocking in Accept for ever (third_party/go-smtp/FACTEUR.md, 6).
func TestServeAfterClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return nil, errors.New("no session")
	}))
	srv.Close()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		if !errors.Is(err, smtp.ErrServerClosed) {
			t.Fatalf("Serve after Close = %v, want ErrServerClosed", err)
		}
	case <-time.After(30 * time.Second): // a guard against the hang, not a speed goal
		ln.Close() // ends the Serve of the unpatched library
		t.Fatal("Serve after Close still accepting 30 s later")
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the listener given to Serve after Close still accepts connections")
	}
}
