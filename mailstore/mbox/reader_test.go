package mbox

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

type wantMsg struct {
	sender string
	date   string // RFC 3339, "" for the zero time
	body   string
}

// readAll reads every message of data, checking each Body with
// iotest.TestReader (small reads, EOF behaviour).
func readAll(t testing.TB, data string) ([]wantMsg, error) {
	t.Helper()
	r := NewReader(strings.NewReader(data))
	var got []wantMsg
	for {
		m, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return got, err
		}
		b, err := io.ReadAll(m.Body)
		if err != nil {
			t.Fatalf("reading body: %v", err)
		}
		d := ""
		if !m.Date.IsZero() {
			d = m.Date.Format(time.RFC3339)
		}
		got = append(got, wantMsg{m.Sender, d, string(b)})
	}
}

func TestReader(t *testing.T) {
	const d1 = "2000-05-11T18:19:24Z"
	tests := []struct {
		name string
		in   string
		want []wantMsg
	}{
		{"empty", "", nil},
		{"blank lines only", "\n\n\r\n", nil},
		{"one message", "From fred@truc.fr Thu May 11 18:19:24 2000\nSubject: a\n\nbody\n\n",
			[]wantMsg{{"fred@truc.fr", d1, "Subject: a\n\nbody\n"}}},
		{"two messages", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\nx\n\nFrom MAILER-DAEMON Fri May 12 01:02:03 2000\nS: 2\n\ny\n\n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nx\n"}, {"MAILER-DAEMON", "2000-05-12T01:02:03Z", "S: 2\n\ny\n"}}},
		{"CRLF", "From a@b Thu May 11 18:19:24 2000\r\nS: 1\r\n\r\nx\r\n\r\nFrom c@d Thu May 11 18:19:24 2000\r\nS: 2\r\n\r\ny\r\n",
			[]wantMsg{{"a@b", d1, "S: 1\r\n\r\nx\r\n"}, {"c@d", d1, "S: 2\r\n\r\ny\r\n"}}},
		{"garbage before", "garbage\nmore: garbage\n\nFrom a@b Thu May 11 18:19:24 2000\nS: 1\n\nx\n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nx\n"}}},
		{"leading blank lines", "\n\r\n\nFrom a@b Thu May 11 18:19:24 2000\nS: 1\n",
			[]wantMsg{{"a@b", d1, "S: 1\n"}}},
		{"no final newline", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\nlast line",
			[]wantMsg{{"a@b", d1, "S: 1\n\nlast line"}}},
		{"From in body without blank line", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\nhello\nFrom c@d Thu May 11 18:19:24 2000\n\n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nhello\nFrom c@d Thu May 11 18:19:24 2000\n"}}},
		{"From prose after blank line", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\nhello\n\nFrom here we go, Thu May 11 18:19:24 2000\n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nhello\n\nFrom here we go, Thu May 11 18:19:24 2000\n"}}},
		{"mboxo unescaped separator", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\nhello\n\nFrom c@d Thu May 11 18:19:24 2000\nrest\n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nhello\n"}, {"c@d", d1, "rest\n"}}},
		{"mboxrd unescape", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\n>From x\n>>From y\n>Fromage\n> From z\n>>>From \n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nFrom x\n>From y\n>Fromage\n> From z\n>>From \n"}}},
		{"several blank lines kept", "From a@b Thu May 11 18:19:24 2000\nS: 1\n\nx\n\n\n\nFrom c@d Thu May 11 18:19:24 2000\n",
			[]wantMsg{{"a@b", d1, "S: 1\n\nx\n\n\n"}, {"c@d", d1, ""}}},
		{"empty messages", "From a@b Thu May 11 18:19:24 2000\nFrom c@d Thu May 11 18:19:24 2000\n\nFrom e@f Thu May 11 18:19:24 2000\n",
			[]wantMsg{{"a@b", d1, ""}, {"c@d", d1, ""}, {"e@f", d1, ""}}},
		{"first line without date", "From nobody\nS: 1\n",
			[]wantMsg{{"nobody", "", "S: 1\n"}}},
		{"no sender", "From  Thu May 11 18:19:24 2000\nS: 1\n",
			[]wantMsg{{"", d1, "S: 1\n"}}},
		{"zone and UUCP", "From a@b Thu May 11 18:19:24 +0200 2000 remote from x\nS: 1\n\nFrom c@d Thu, 11 May 2000 18:19:24 -0130\nS: 2\n",
			[]wantMsg{{"a@b", "2000-05-11T18:19:24+02:00", "S: 1\n"}, {"c@d", "2000-05-11T18:19:24-01:30", "S: 2\n"}}},
		{"named zone, no seconds", "From a@b Thu May 11 18:19 CEST 2000\nS: 1\n",
			[]wantMsg{{"a@b", "2000-05-11T18:19:00Z", "S: 1\n"}}},
		{"git format-patch", "From 3c0fb8a1 Mon Sep 17 00:00:00 2001\nFrom: x\n",
			[]wantMsg{{"3c0fb8a1", "2001-09-17T00:00:00Z", "From: x\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d messages %q, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("message %d:\n got %q\nwant %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestReaderNotMbox(t *testing.T) {
	r := NewReader(strings.NewReader("Subject: an .eml file\n\nhello\n"))
	if _, err := r.Next(); !errors.Is(err, ErrNotMbox) {
		t.Fatalf("Next: %v, want ErrNotMbox", err)
	}
	if _, err := r.Next(); !errors.Is(err, ErrNotMbox) {
		t.Fatalf("second Next: %v, want ErrNotMbox again", err)
	}
}

func TestReaderSmallReadsAndDrain(t *testing.T) {
	data, err := os.ReadFile("testdata/course.mbox")
	if err != nil {
		t.Fatal(err)
	}
	want, err := readAll(t, string(data))
	if err != nil || len(want) != 3 {
		t.Fatalf("course.mbox: %d messages, %v", len(want), err)
	}
	// One byte at a time from the source, TestReader on each body.
	r := NewReader(iotest.OneByteReader(bytes.NewReader(data)))
	for i := range want {
		m, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(m.Body, []byte(want[i].body)); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after last: %v", err)
	}
	if r.Offset() != int64(len(data)) {
		t.Errorf("Offset %d, want %d", r.Offset(), len(data))
	}
	// Bodies left unread are skipped by Next.
	r = NewReader(bytes.NewReader(data))
	var senders []string
	for {
		m, err := r.Next()
		if err != nil {
			break
		}
		senders = append(senders, m.Sender)
	}
	if len(senders) != 3 || senders[0] != "christian.caleca@wanadoo.fr" {
		t.Errorf("senders %q", senders)
	}
	if r.Skipped() != 0 {
		t.Errorf("Skipped %d", r.Skipped())
	}
}

func TestReaderLongLines(t *testing.T) {
	long := strings.Repeat("x", 3*bufSize+17)
	in := "From a@b Thu May 11 18:19:24 2000\n" + long + "\n>From " + long + "\n\n" +
		"From c@d Thu May 11 18:19:24 2000\n" + "From " + long + "\n"
	got, err := readAll(t, "garbage "+long+"\n"+in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{long + "\nFrom " + long + "\n", "From " + long + "\n"}
	if len(got) != 2 || got[0].body != want[0] || got[1].body != want[1] {
		t.Fatalf("long lines: got %d messages", len(got))
	}
}

type errReader struct{ data []byte }

var errBoom = errors.New("boom")

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, errBoom
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReaderError(t *testing.T) {
	r := NewReader(&errReader{[]byte("From a@b Thu May 11 18:19:24 2000\nS: 1\n")})
	m, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(m.Body); !errors.Is(err, errBoom) {
		t.Fatalf("body: %v, want errBoom", err)
	}
	if _, err := r.Next(); !errors.Is(err, errBoom) {
		t.Fatalf("Next: %v, want errBoom", err)
	}
}
