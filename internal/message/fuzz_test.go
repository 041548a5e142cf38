package message

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParse parses arbitrary input, with and without MaxText, and checks
// what the rest of Facteur relies on: no panic, an error only for empty
// input, valid UTF-8 everywhere, MaxText honoured, bounded problems, and
// every attachment found again by OpenPart, with the announced size when
// the size is exact (identity and quoted-printable encodings).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a--\n"))
	f.Add([]byte("Content-Type: message/rfc822\n\nSubject: =?utf-8?q?x?=\n\ny"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opt := range []Options{{}, {MaxText: 50, NoLinks: true}} {
			m, err := Parse(bytes.NewReader(data), opt)
			if err != nil {
				if len(data) > 0 || !errors.Is(err, ErrEmpty) {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			checkMessage(t, m, opt)
			if opt.MaxText == 0 {
				checkParts(t, data, m)
			}
		}
	})
}

func checkMessage(t *testing.T, m *Message, opt Options) {
	t.Helper()
	if opt.MaxText > 0 && len(m.Text) > opt.MaxText {
		t.Fatalf("Text has %d bytes, MaxText %d", len(m.Text), opt.MaxText)
	}
	if len(m.Problems) > maxProblems {
		t.Fatalf("%d problems", len(m.Problems))
	}
	strs := []string{m.Text, m.Subject, m.MessageID}
	strs = append(strs, m.Links...)
	strs = append(strs, m.References...)
	strs = append(strs, m.InReplyTo...)
	for _, l := range [][]Address{m.From, m.To, m.Cc, m.Bcc, m.ReplyTo, m.Sender} {
		for _, a := range l {
			strs = append(strs, a.Name, a.Addr)
		}
	}
	for _, a := range m.Attachments {
		strs = append(strs, a.Filename, a.ContentType)
	}
	for _, f := range m.Header {
		strs = append(strs, f.Decoded)
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8: %q", s)
		}
	}
}

func checkParts(t *testing.T, data []byte, m *Message) {
	t.Helper()
	for _, a := range m.Attachments {
		part, r, err := OpenPart(bytes.NewReader(data), a.Path)
		if err != nil {
			t.Fatalf("OpenPart(%q) of %+v: %v", a.Path, a, err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			t.Fatalf("reading part %q: %v", a.Path, err)
		}
		if part.ContentType != a.ContentType {
			t.Fatalf("part %q: type %q, Parse said %q", a.Path, part.ContentType, a.ContentType)
		}
		if cte := partEncoding(data, a.Path); cte != "base64" && n != a.Size {
			t.Fatalf("part %q (%s): %d bytes, Parse said %d", a.Path, cte, n, a.Size)
		}
	}
}

// partEncoding returns the transfer encoding of a part, as the walk sees
// it.
func partEncoding(data []byte, path string) string {
	p := newParser(bytes.NewReader(data), Options{NoLinks: true})
	h := p.readHeader("", true)
	p.msg = &Message{}
	e, _ := p.seek(p.newEntity(h, "", 0, context{}), path, context{})
	if e == nil {
		return ""
	}
	switch e.cte {
	case "quoted-printable", "base64":
		return e.cte
	}
	if !isIdentity(e.cte) {
		return "unknown"
	}
	return "identity"
}
