// Smtplat measures an SMTP server's accept latency: it sends M messages one
// after the other over one connection and reports the time from the end of
// DATA (the "." line) to the server's 250 reply, which is the time the server
// takes to make the message durable (write and fsync its queue file) before
// it answers. smtp-source reports no latency; bench/smtp-vs-postfix.sh runs
// this against Facteur and Postfix.
//
//	smtplat -addr 127.0.0.3:2525 -m 500 -l 5120 -from a@b.test -to marc@machin.com
//
// It prints one line: the count, the median, the 90th and 99th percentiles
// and the maximum, in milliseconds.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:25", "SMTP server host:port")
	m := flag.Int("m", 500, "messages to send")
	size := flag.Int("l", 5120, "body length in bytes")
	from := flag.String("from", "bench@smtplat.test", "envelope sender")
	to := flag.String("to", "", "envelope recipient")
	helo := flag.String("helo", "smtplat.test", "EHLO name")
	flag.Parse()
	if *to == "" || *m <= 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	lat, err := run(*addr, *helo, *from, *to, *m, *size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtplat:", err)
		os.Exit(1)
	}
	fmt.Println(summary(lat))
}

// run sends m messages over one connection and returns the latency of each.
func run(addr, helo, from, to string, m, size int) ([]time.Duration, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	w := bufio.NewWriter(conn)
	c := textproto.NewConn(conn)
	if _, _, err := c.ReadResponse(220); err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if err := cmd(c, 250, "EHLO %s", helo); err != nil {
		return nil, err
	}
	body := message(from, to, size)
	lat := make([]time.Duration, 0, m)
	for i := range m {
		for _, step := range []struct {
			code int
			line string
		}{{250, "MAIL FROM:<" + from + ">"}, {250, "RCPT TO:<" + to + ">"}, {354, "DATA"}} {
			if err := cmd(c, step.code, "%s", step.line); err != nil {
				return lat, fmt.Errorf("message %d: %w", i+1, err)
			}
		}
		if _, err := fmt.Fprintf(w, "Message-ID: <%d.%d@smtplat.test>\r\n%s", time.Now().UnixNano(), i, body); err != nil {
			return lat, err
		}
		if err := w.Flush(); err != nil {
			return lat, err
		}
		start := time.Now()
		if _, err := w.WriteString(".\r\n"); err != nil {
			return lat, err
		}
		if err := w.Flush(); err != nil {
			return lat, err
		}
		if _, _, err := c.ReadResponse(250); err != nil {
			return lat, fmt.Errorf("message %d: end of DATA: %w", i+1, err)
		}
		lat = append(lat, time.Since(start))
	}
	cmd(c, 221, "QUIT")
	return lat, nil
}

// cmd sends one command and reads its reply, which must have code.
func cmd(c *textproto.Conn, code int, format string, args ...any) error {
	id, err := c.Cmd(format, args...)
	if err != nil {
		return err
	}
	c.StartResponse(id)
	defer c.EndResponse(id)
	_, msg, err := c.ReadResponse(code)
	if err != nil {
		return fmt.Errorf("%s: %w (%s)", strings.Fields(fmt.Sprintf(format, args...))[0], err, msg)
	}
	return nil
}

// message returns the headers (but Message-ID) and a body of about size
// bytes of printable lines, CRLF-terminated, with no line starting with '.'.
func message(from, to string, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: smtplat\r\nDate: %s\r\n\r\n", from, to, time.Now().Format(time.RFC1123Z))
	line := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 2)[:70] + "\r\n"
	for n := 0; n < size; n += len(line) {
		b.WriteString(line)
	}
	return b.String()
}

// summary formats the latencies: count, median, p90, p99, max in ms.
func summary(lat []time.Duration) string {
	s := slices.Clone(lat)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(p * float64(len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	return fmt.Sprintf("%d messages: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", len(s), q(0.5), q(0.9), q(0.99), q(1))
}
