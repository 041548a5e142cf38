package mbox

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"
)

// normalize is what Writer makes of a body: a final LF added, CRLF as LF.
func normalize(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b[:len(b):len(b)], '\n')
	}
	return bytes.ReplaceAll(b, crlf, lf)
}

// FuzzMboxReader reads arbitrary input, then writes what it read with
// Writer and reads it again: the second reading must give the same messages
// (normalized), and reading must never take more bytes than the input has.
func FuzzMboxReader(f *testing.F) {
	course, err := os.ReadFile("testdata/course.mbox")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(course),
		"",
		"From a@b Thu May 11 18:19:24 2000\nS: 1\n\nFrom here\n\n>From x\n",
		"garbage\n\nFrom a@b Thu May 11 18:19:24 +0200 2000\r\nx\r\n\r\nFrom c Thu, 11 May 2000 18:19:24 -0100\nno newline",
		"From a\nFrom b Thu May 11 18:19:24 2000\n\n\n\nFrom  Sun Jan  1 00:00:00 0001\n>>>From \n",
		"From x Fri Dec 31 23:59:60 9999 -9959\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type msg struct {
			sender string
			date   time.Time
			body   []byte
		}
		read := func(in []byte) ([]msg, int64) {
			r := NewReader(bytes.NewReader(in))
			var out []msg
			for {
				m, err := r.Next()
				if err != nil {
					return out, r.Offset()
				}
				b, err := io.ReadAll(m.Body)
				if err != nil {
					t.Fatalf("body: %v", err)
				}
				out = append(out, msg{m.Sender, m.Date, b})
			}
		}
		first, off := read(data)
		if off != int64(len(data)) {
			t.Fatalf("Offset %d, input %d bytes", off, len(data))
		}
		total := 0
		for _, m := range first {
			total += len(m.body)
		}
		if total > len(data) {
			t.Fatalf("bodies hold %d bytes, input %d", total, len(data))
		}
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, m := range first {
			if err := w.Write(m.sender, m.date, bytes.NewReader(m.body)); err != nil {
				t.Fatal(err)
			}
		}
		second, _ := read(buf.Bytes())
		if len(second) != len(first) {
			t.Fatalf("rewritten: %d messages, first reading %d\n%q", len(second), len(first), buf.Bytes())
		}
		for i, m := range first {
			s := second[i]
			wantDate := m.date.UTC().Truncate(time.Second)
			if y := wantDate.Year(); y < 0 || y > 9999 {
				wantDate = time.Time{}
			}
			if s.sender != sanitizeSender(m.sender) || !s.date.Equal(wantDate) {
				t.Errorf("message %d: %q %v, want %q %v", i, s.sender, s.date, sanitizeSender(m.sender), wantDate)
			}
			if want := normalize(m.body); !bytes.Equal(s.body, want) {
				t.Errorf("message %d: body %q, want %q", i, s.body, want)
			}
		}
	})
}
