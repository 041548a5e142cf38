package mbox

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	date := time.Date(2000, 5, 11, 18, 19, 24, 0, time.FixedZone("", 2*3600))
	msgs := []struct {
		sender, body string
	}{
		{"fred@truc.fr", "Subject: a\r\n\r\nFrom me\r\n>From you\r\nno newline"},
		{"", ""},
		{"john doe", "x\n\n"},
	}
	for _, m := range msgs {
		if err := w.Write(m.sender, date, strings.NewReader(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	want := "From fred@truc.fr Thu May 11 16:19:24 2000\nSubject: a\n\n>From me\n>>From you\nno newline\n\n" +
		"From MAILER-DAEMON Thu May 11 16:19:24 2000\n\n" +
		"From john_doe Thu May 11 16:19:24 2000\nx\n\n\n"
	if buf.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", buf.String(), want)
	}
}

// TestRoundTrip writes messages and reads them back: same bytes, senders
// and dates.
func TestRoundTrip(t *testing.T) {
	long := strings.Repeat("y", bufSize+100)
	bodies := []string{
		"Subject: plain\n\nhello\n",
		"",
		"\n",
		"Subject: from lines\n\nFrom here\n\nFrom a@b Thu May 11 18:19:24 2000\n>From x\n>>From y\n\n>From z\n",
		"From a@b Thu May 11 18:19:24 2000\nstarts with a From_ line\n",
		"ends with blank lines\n\n\n",
		"long\n" + long + "\nFrom " + long + "\n",
		">From \n",
	}
	dates := []time.Time{
		time.Date(2000, 5, 11, 18, 19, 24, 0, time.UTC),
		{},
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i, b := range bodies {
		if err := w.Write("s"+string(rune('a'+i)), dates[i%len(dates)], strings.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	r := NewReader(&buf)
	for i, b := range bodies {
		m, err := r.Next()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		got, _ := io.ReadAll(m.Body)
		if string(got) != b {
			t.Errorf("message %d: got %q, want %q", i, trunc(got), trunc([]byte(b)))
		}
		if m.Sender != "s"+string(rune('a'+i)) || !m.Date.Equal(dates[i%len(dates)]) {
			t.Errorf("message %d: sender %q date %v", i, m.Sender, m.Date)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after last: %v", err)
	}
}

func trunc(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errBoom
	}
	f.n--
	return len(p), nil
}

func TestWriterErrors(t *testing.T) {
	// A failing message reader: the error is returned, the message is
	// terminated, the next message is written normally.
	var buf bytes.Buffer
	w := NewWriter(&buf)
	err := w.Write("a", time.Time{}, &errReader{[]byte("Subject: x\n\npartial")})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Write: %v, want errBoom", err)
	}
	if err := w.Write("b", time.Time{}, strings.NewReader("ok\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, buf.String())
	if len(got) != 2 || got[0].body != "Subject: x\n\npartial\n" || got[1].body != "ok\n" {
		t.Fatalf("after a read error: %q", got)
	}
	// A failing destination: sticky.
	w = NewWriter(&failWriter{})
	if err := w.Write("a", time.Time{}, strings.NewReader("x\n")); !errors.Is(err, errBoom) {
		t.Fatalf("Write: %v, want errBoom", err)
	}
	if err := w.Write("a", time.Time{}, strings.NewReader("x\n")); !errors.Is(err, errBoom) {
		t.Fatalf("second Write: %v, want errBoom", err)
	}
}
