package netreset

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// TestIs reads from a loopback connection that the peer resets (SO_LINGER
// 0, then close): the error is a reset on every system; a clean close and
// other errors are not.
func TestIs(t *testing.T) {
	var err error
	// Wine 8 sometimes reports the end of file instead of the reset
	// (scripts/windows/wine-gaps.txt): a few tries.
	for try := 0; try < 5 && err == nil; try++ {
		err = readReset(t)
	}
	if !Is(err) {
		t.Fatalf("read after a reset: %v (%T), not a reset", err, errors.Unwrap(err))
	}
	if !Is(fmt.Errorf("send: %w", err)) {
		t.Fatal("a wrapped reset is not a reset")
	}
	for _, e := range []error{nil, io.EOF, io.ErrUnexpectedEOF, errors.New("connection reset")} {
		if Is(e) {
			t.Fatalf("Is(%v) = true", e)
		}
	}
}

// readReset connects to a server that resets the connection once the
// client is connected, and returns the error of reading to the end.
func readReset(t *testing.T) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.ReadFull(c, make([]byte, 1)) // the client is connected
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(c)
	return err
}
