package corpus

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// WriteMbox writes n messages of the corpus of seed to w as mboxrd (the
// generated bodies never hold a "From " line, so mboxo readers agree).
func WriteMbox(w io.Writer, seed uint64, n int) error {
	g := New(seed)
	bw := bufio.NewWriterSize(w, 256<<10)
	for range n {
		m := g.Next()
		fmt.Fprintf(bw, "From %s %s\n", m.Sender, m.Date.UTC().Format(time.ANSIC))
		for _, line := range splitLines(m.Data) {
			bw.Write(line)
			bw.WriteByte('\n')
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// splitLines splits CRLF lines (the mbox gets LF line ends).
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		line := b[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		out = append(out, line)
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

// WriteMaildir writes n messages of the corpus of seed into the Maildir dir
// (created with cur, new and tmp): 70% seen, in cur/ with ":2,S"; the others
// in new/. Names follow the Maildir specification. The files are not synced:
// the corpus is scratch data.
func WriteMaildir(dir string, seed uint64, n int) error {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	g := New(seed)
	for i := range n {
		m := g.Next()
		name := fmt.Sprintf("%d.M%dP1Q%d.corpus,S=%d", m.Date.Unix(), i%1000000, i, len(m.Data))
		path := filepath.Join(dir, "new", name)
		if m.Seen {
			path = filepath.Join(dir, "cur", name+infoSep+"2,S")
		}
		if err := os.WriteFile(path, m.Data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
