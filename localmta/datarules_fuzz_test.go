package localmta

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// refRules is the rules of DATA written the plain way, against which the
// streaming checker is fuzzed.
func refRules(b []byte) error {
	for i, c := range b {
		switch {
		case c == '\n' && (i == 0 || b[i-1] != '\r'), c == '\r' && (i+1 == len(b) || b[i+1] != '\n'):
			return ErrBareLF
		case c == 0:
			return ErrNUL
		}
	}
	for line := range bytes.SplitSeq(b, []byte("\r\n")) {
		if len(line)+2 > MaxLineOctets {
			return ErrLongLine
		}
	}
	return nil
}

// FuzzDataChecker: whatever a client sends in DATA or a local program
// hands to the pick-up, the checker passes it whole or refuses it with
// the reply of the first rule it breaks, read in any chunk sizes (issue 10).
func FuzzDataChecker(f *testing.F) {
	f.Add([]byte("Subject: s\r\n\r\nbody\r\n"), false)
	f.Add([]byte("A\r.\rMAIL FROM:<x@y>\r\n"), true)
	f.Add([]byte("A\r\n.\rB\r\n"), false)
	f.Add([]byte("A\x00B\r\n"), false)
	f.Add(append(bytes.Repeat([]byte("x"), 1998), '\r', '\n'), true)
	f.Add(bytes.Repeat([]byte("x"), 1999), false)
	f.Fuzz(func(t *testing.T, data []byte, oneByte bool) {
		var r io.Reader = bytes.NewReader(data)
		if oneByte {
			r = iotest.OneByteReader(r)
		}
		got, err := io.ReadAll(newDataChecker(r, 0))
		want := refRules(data)
		if want == nil {
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("refused %q: %v", data, err)
			}
			return
		}
		if err == nil {
			t.Fatalf("passed %q, which breaks %v", data, want)
		}
		if !errors.Is(err, ErrBareLF) && !errors.Is(err, ErrNUL) && !errors.Is(err, ErrLongLine) {
			t.Fatalf("%q: unexpected error %v", data, err)
		}
	})
}
