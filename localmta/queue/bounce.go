package queue

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// maxReturned bounds the original message returned whole in a bounce;
// beyond it only the header is returned.
const maxReturned = 10 << 20

// bounce queues a delivery status notification to the sender for the
// recipients that failed, unless the message is itself a bounce (null
// reverse-path, RFC 5321 §4.5.5) or every failed recipient asked
// NOTIFY=NEVER or no FAILURE notice (RFC 3461 §4.1).
func (q *Queue) bounce(ctx context.Context, m *Message) error {
	failed := failedToNotify(m)
	if m.From == "" || len(failed) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := q.writeDSN(&buf, m, failed); err != nil {
		return err
	}
	b, err := q.Enqueue(ctx, Message{From: "", Rcpts: []Rcpt{{Addr: m.From}}}, &buf)
	if err == nil {
		q.opt.Logger.Info("queue: bounce queued", "id", m.ID, "bounce", b.ID, "to", m.From, "failed", len(failed))
	}
	return err
}

func failedToNotify(m *Message) []Rcpt {
	var out []Rcpt
	for _, r := range m.Rcpts {
		if r.Status != StatusFailed {
			continue
		}
		if len(r.Notify) > 0 && (slices.Contains(r.Notify, "NEVER") || !slices.Contains(r.Notify, "FAILURE")) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// writeDSN writes the RFC 3464 report: a human-readable part, the
// message/delivery-status part, and the returned message (or its header
// for RET=HDRS and large messages).
func (q *Queue) writeDSN(w io.Writer, m *Message, failed []Rcpt) error {
	host := q.opt.Hostname
	now := q.opt.Now()
	boundary := "=_" + m.ID + "/" + host
	fmt.Fprintf(w, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", host)
	fmt.Fprintf(w, "To: <%s>\r\n", m.From)
	fmt.Fprintf(w, "Subject: Undelivered Mail Returned to Sender\r\n")
	fmt.Fprintf(w, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(w, "Message-ID: <%s.bounce@%s>\r\n", m.ID, host)
	fmt.Fprintf(w, "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n")
	fmt.Fprintf(w, "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(w, "This is a MIME-encapsulated message.\r\n\r\n--%s\r\n", boundary)
	writeNotice(w, host, failed)
	fmt.Fprintf(w, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary)
	writeStatus(w, host, m, failed, now)
	return q.writeReturned(w, m, boundary)
}

func writeNotice(w io.Writer, host string, failed []Rcpt) {
	fmt.Fprintf(w, "Content-Type: text/plain; charset=utf-8\r\nContent-Description: Notification\r\n\r\n")
	fmt.Fprintf(w, "This is the mail system at host %s (Facteur).\r\n\r\n", host)
	fmt.Fprintf(w, "I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients. It's attached below.\r\n\r\n")
	for _, r := range failed {
		fmt.Fprintf(w, "<%s>: %s\r\n", r.Addr, oneLine(r.LastError))
	}
}

func writeStatus(w io.Writer, host string, m *Message, failed []Rcpt, now time.Time) {
	fmt.Fprintf(w, "Reporting-MTA: dns; %s\r\n", host)
	if m.EnvID != "" {
		fmt.Fprintf(w, "Original-Envelope-Id: %s\r\n", oneLine(m.EnvID))
	}
	fmt.Fprintf(w, "X-Facteur-Queue-ID: %s\r\n", m.ID)
	fmt.Fprintf(w, "Arrival-Date: %s\r\n", m.Arrived.Format(time.RFC1123Z))
	for _, r := range failed {
		fmt.Fprintf(w, "\r\nFinal-Recipient: rfc822; %s\r\n", r.Addr)
		if r.ORcpt != "" && r.ORcpt != r.Addr {
			fmt.Fprintf(w, "Original-Recipient: rfc822; %s\r\n", oneLine(r.ORcpt))
		}
		enh := r.Enhanced
		if enh == "" || enh[0] == '2' {
			enh = "5.0.0"
		}
		fmt.Fprintf(w, "Action: failed\r\nStatus: %s\r\n", enh)
		if r.Remote != "" {
			fmt.Fprintf(w, "Remote-MTA: dns; %s\r\n", r.Remote)
		}
		if r.LastError != "" {
			fmt.Fprintf(w, "Diagnostic-Code: smtp; %s\r\n", oneLine(r.LastError))
		}
		fmt.Fprintf(w, "Last-Attempt-Date: %s\r\n", now.Format(time.RFC1123Z))
	}
}

// writeReturned attaches the original message, or only its header.
func (q *Queue) writeReturned(w io.Writer, m *Message, boundary string) error {
	rc, err := q.OpenBody(m.ID)
	if err != nil {
		return err
	}
	defer rc.Close()
	headersOnly := m.Ret == "HDRS" || m.Size > maxReturned
	ctype := "message/rfc822"
	if headersOnly {
		ctype = "text/rfc822-headers"
	}
	fmt.Fprintf(w, "\r\n--%s\r\nContent-Type: %s\r\nContent-Description: Undelivered Message\r\n\r\n", boundary, ctype)
	if err := copyOriginal(w, rc, headersOnly); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\r\n--%s--\r\n", boundary)
	return err
}

// copyOriginal copies the message (or its header) with CRLF line ends.
func copyOriginal(w io.Writer, r io.Reader, headersOnly bool) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimRight(line, "\r\n")
			if _, werr := io.WriteString(w, line+"\r\n"); werr != nil {
				return werr
			}
			if headersOnly && line == "" {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
