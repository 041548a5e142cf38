package queue

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadSpoolFile: a whole queue file read back at recovery (trailer,
// CRC, state) never panics; a file that reads must name a valid queue id
// and give a body of the length its trailer says (issue 10).
func FuzzReadSpoolFile(f *testing.F) {
	dir := f.TempDir()
	q, err := Open(context.Background(), dir, testOpts())
	if err != nil {
		f.Fatal(err)
	}
	m, err := q.Enqueue(context.Background(), Message{From: "a@b", Rcpts: []Rcpt{{Addr: "c@d"}}}, strings.NewReader(body))
	if err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(msgPath(dir, m.ID))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte("facteur-queue 0000000000000000 00000001 00000000\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "X.msg")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sf, err := openSpoolFile(path, true)
		if err != nil {
			if !errors.Is(err, ErrIncomplete) && !errors.Is(err, ErrBadState) {
				t.Logf("error not classified as incomplete or bad state: %v", err)
			}
			return
		}
		defer sf.f.Close()
		if sf.msg.Size != sf.t.body || sf.t.body+sf.t.state+int64(trailerLen) != int64(len(data)) {
			t.Fatalf("read a file of %d bytes as body %d + state %d", len(data), sf.t.body, sf.t.state)
		}
	})
}
