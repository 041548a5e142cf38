package localmta

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDataChecker(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name, in string
		want     error
	}{
		{"plain", "Subject: s\r\n\r\nbody\r\n", nil},
		{"8-bit", "Subject: é\r\n\r\nçà\r\n", nil},
		{"line of 1998 octets", "S: s\r\n\r\n" + long(1998) + "\r\n", nil},
		{"line of 1999 octets", "S: s\r\n\r\n" + long(1999) + "\r\n", ErrLongLine},
		{"line of 5000 octets", "S: s\r\n\r\n" + long(5000) + "\r\n", ErrLongLine},
		{"last line of 1999 octets without CRLF", "S: s\r\n\r\n" + long(1999), ErrLongLine},
		{"bare LF", "S: s\n\nbody\r\n", ErrBareLF},
		{"bare CR", "S: s\r\n\r\nA\r.\rMAIL FROM:<x@y>\r\n", ErrBareLF},
		{"CRLF then .CR", "S: s\r\n\r\nA\r\n.\rB\r\n", ErrBareLF},
		{"final CR", "S: s\r\n\r\nA\r", ErrBareLF},
		{"NUL", "S: s\r\n\r\nA\x00B\r\n", ErrNUL},
		{"too big", "S: s\r\n\r\n" + long(900) + "\r\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ck := newDataChecker(strings.NewReader(c.in), 0)
			got, err := io.ReadAll(ck)
			if !errors.Is(err, c.want) && (err != nil || c.want != nil) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			if c.want == nil && string(got) != c.in {
				t.Fatalf("passed %q, want it whole", got)
			}
		})
	}
	ck := newDataChecker(strings.NewReader("S: s\r\n\r\n"+long(900)+"\r\n"), 500)
	if _, err := io.ReadAll(ck); err == nil || !strings.Contains(err.Error(), "552") {
		t.Fatalf("message over the size limit: %v", err)
	}
}

// TestDataRulesOverSMTP: a long line got "451 4.3.0" (temporary: retried
// for days) then "500 5.4.0"; it is now refused permanently, like bare CR,
// bare LF and NUL, and the session stays in step where go-smtp can read
// on (issue 10).
func TestDataRulesOverSMTP(t *testing.T) {
	m := startLocal(t, nil)
	cases := map[string]string{
		"NUL":             "Subject: s\r\n\r\nA\x00B\r\n.\r\n",
		"line of 1999":    "Subject: s\r\n\r\n" + strings.Repeat("y", 1999) + "\r\n.\r\n",
		"bare CR":         "Subject: s\r\n\r\nA\r.\rMAIL FROM:<x@y>\r\n.\r\n",
		"CRLF.CR":         "Subject: s\r\n\r\nA\r\n.\rB\r\n.\r\n", // go-smtp dropped ".\r": stored as A<CRLF>B
		"line of 1998 ok": "Subject: s\r\n\r\n" + strings.Repeat("y", 1998) + "\r\n.\r\n",
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			c := dial(t, m.Addrs()[0])
			c.hello("client.test")
			c.mailRcpt("a@b.test", "marc@machin.com")
			c.Writeln("DATA")
			c.ExpectPattern("354 *")
			c.Write(data)
			if strings.HasSuffix(name, " ok") {
				c.ExpectPattern("250 *")
				return
			}
			c.ExpectPattern("554 5.6.0 *")
			c.Writeln("NOOP") // one reply, and the session is still in step
			c.ExpectPattern("250 *")
		})
	}
	t.Run("line of 5000", func(t *testing.T) {
		c := dial(t, m.Addrs()[0])
		c.hello("client.test")
		c.mailRcpt("a@b.test", "marc@machin.com")
		c.Writeln("DATA")
		c.ExpectPattern("354 *")
		c.Write("Subject: s\r\n\r\n" + strings.Repeat("z", 5000) + "\r\n.\r\n")
		c.ExpectPattern("554 5.6.0 *") // permanent: the sender bounces it at once
		c.Writeln("NOOP")
		c.ExpectPattern("250 *")
	})
}
