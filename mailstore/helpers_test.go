package mailstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// testMsg describes a small message for the tests.
type testMsg struct {
	id, subject, from, to, body string
	date                        time.Time
	inReplyTo, refs             string
	extra                       string // more header lines
	mime                        string // Content-Type line and body, instead of text/plain
}

func (m testMsg) bytes() []byte {
	var b strings.Builder
	if m.id != "" {
		fmt.Fprintf(&b, "Message-ID: <%s>\r\n", m.id)
	}
	from := m.from
	if from == "" {
		from = "Alice Martin <alice@example.org>"
	}
	to := m.to
	if to == "" {
		to = "Bob <bob@example.com>"
	}
	date := m.date
	if date.IsZero() {
		date = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", from, to, m.subject, date.Format(time.RFC1123Z))
	if m.inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", m.inReplyTo)
	}
	if m.refs != "" {
		fmt.Fprintf(&b, "References: %s\r\n", m.refs)
	}
	b.WriteString(m.extra)
	if m.mime != "" {
		fmt.Fprintf(&b, "MIME-Version: 1.0\r\n%s", m.mime)
		return []byte(b.String())
	}
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", m.body)
	return []byte(b.String())
}

var inbox = FolderRef{Account: "Local", Name: "INBOX"}

func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkState(t, dir) }) // after Close: cleanups run last first
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func add(t testing.TB, s *Store, folder FolderRef, m testMsg, opt AddOptions) Summary {
	t.Helper()
	sum, err := s.Add(context.Background(), folder, strings.NewReader(string(m.bytes())), opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func subjects(list []Summary) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Subject
	}
	return out
}

func day(d int) time.Time { return time.Date(2024, 3, d, 12, 0, 0, 0, time.UTC) }
