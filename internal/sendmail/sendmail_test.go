package sendmail

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestReadInput(t *testing.T) {
	tests := []struct {
		in    string
		dotOK bool
		want  string
	}{
		{"a\nb\n", false, "a\r\nb\r\n"},
		{"a\r\nb", false, "a\r\nb\r\n"},
		{"a\n.\nb\n", false, "a\r\n"},
		{"a\n.\nb\n", true, "a\r\n.\r\nb\r\n"},
		{"a\n..\n", false, "a\r\n..\r\n"},
	}
	for _, tt := range tests {
		got, err := ReadInput(strings.NewReader(tt.in), tt.dotOK)
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadInput(%q, %v) = %q, %v; want %q", tt.in, tt.dotOK, got, err, tt.want)
		}
	}
}

func TestHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		rcpts    []string
		has      []string
		hasNot   []string
	}{
		{"to cc bcc folded", "To: Marc <marc@machin.com>,\r\n  \"Nom Prénom\"@x.fr\r\nCc: undisclosed-recipients:;\r\nBcc: secret@y.org\r\n (hidden)\r\nSubject: s\r\n\r\nbody\r\n",
			[]string{"marc@machin.com", `"Nom Prénom"@x.fr`, "secret@y.org"},
			[]string{"To: Marc <marc@machin.com>,\r\n  \"Nom", "Subject: s\r\n", "From: fred@truc.fr\r\n", "Date: Fri, 02 Jan 2026 10:00:00 +0000\r\n", "Message-ID: <20260102100000.", "@truc.fr>\r\n", "\r\n\r\nbody\r\n"},
			[]string{"Bcc", "hidden"}},
		{"mbox From_ line and no blank line", "From fred Mon Jan  1 00:00:00 2026\r\nTo: a@b\r\nnot a header\r\n",
			[]string{"a@b"}, []string{"To: a@b\r\n", "\r\n\r\nnot a header\r\n"}, []string{"From fred"}},
		{"fields kept", "From: Fred <fred@truc.fr>\r\nDate: x\r\nMessage-ID: <1@x>\r\nTo: a@b\r\n\r\n",
			[]string{"a@b"}, []string{"From: Fred <fred@truc.fr>\r\nDate: x\r\nMessage-ID: <1@x>\r\nTo: a@b\r\n\r\n"}, []string{"From: fred@truc.fr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, body := SplitHeader([]byte(tt.in))
			rcpts, err := HeaderRecipients(fields)
			if err != nil || fmt.Sprint(rcpts) != fmt.Sprint(tt.rcpts) {
				t.Errorf("recipients %q, %v; want %q", rcpts, err, tt.rcpts)
			}
			out := string(Prepare(fields, body, "fred@truc.fr", "", now))
			for _, s := range tt.has {
				if !strings.Contains(out, s) {
					t.Errorf("message lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(out, s) {
					t.Errorf("message has %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestEnvelopeAddress(t *testing.T) {
	tests := map[string]string{
		"marc":                    "marc@localhost",
		"Marc":                    "marc@localhost",
		"marc@machin.com":         "marc@machin.com",
		"<marc@machin.com>":       "marc@machin.com",
		"Marc <marc@machin.com>":  "marc@machin.com",
		"<@a.fr:marc@machin.com>": "marc@machin.com",
	}
	for in, want := range tests {
		if got, err := EnvelopeAddress(in); err != nil || got != want {
			t.Errorf("EnvelopeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a b", "a@", "<>"} {
		if got, err := EnvelopeAddress(bad); err == nil {
			t.Errorf("EnvelopeAddress(%q) = %q, want an error", bad, got)
		}
	}
}
