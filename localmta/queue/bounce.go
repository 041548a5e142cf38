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
	id, err := q.sendDSN(ctx, m, dsnFailed, failed)
	if err == nil {
		q.opt.Logger.Info("queue: bounce queued", "id", m.ID, "bounce", id, "to", m.From, "failed", len(failed))
	}
	return err
}

// sendDSN queues a report of kind on rcpts to the sender of m, from the
// null reverse-path, and returns its queue ID.
func (q *Queue) sendDSN(ctx context.Context, m *Message, kind dsnKind, rcpts []Rcpt) (string, error) {
	var buf bytes.Buffer
	if err := q.writeDSN(&buf, m, kind, rcpts); err != nil {
		return "", err
	}
	d, err := q.Enqueue(ctx, Message{From: "", Rcpts: []Rcpt{{Addr: m.From}}}, &buf)
	return d.ID, err
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

// dsnKind is what a delivery status notification reports: a failure
// (a bounce) or a delay (a warning; the message is still retried).
type dsnKind struct {
	action  string // the Action field of RFC 3464 §2.3.3
	subject string
	notice  string
	suffix  string // of the report's Message-ID
	status  byte   // class of the Status field when the attempt gave none
	headers bool   // return the original header only
}

var (
	dsnFailed = dsnKind{
		action: "failed", subject: "Undelivered Mail Returned to Sender", suffix: "bounce", status: '5',
		notice: "I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients. It's attached below.\r\n",
	}
	dsnDelayed = dsnKind{
		action: "delayed", subject: "Delayed Mail (still being retried)", suffix: "delay", status: '4', headers: true,
		notice: "#################################################################\r\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n#################################################################\r\n\r\n" +
			"Your message could not be delivered yet to the recipients below.\r\nIt is still being retried; its header is attached below.\r\n",
	}
)

// writeDSN writes the RFC 3464 report: a human-readable part, the
// message/delivery-status part, and the returned message (or its header
// for delays, RET=HDRS and large messages).
func (q *Queue) writeDSN(w io.Writer, m *Message, kind dsnKind, rcpts []Rcpt) error {
	host := q.opt.Hostname
	now := q.opt.Now()
	boundary := "=_" + m.ID + "/" + host
	fmt.Fprintf(w, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", host)
	fmt.Fprintf(w, "To: <%s>\r\n", m.From)
	fmt.Fprintf(w, "Subject: %s\r\n", kind.subject)
	fmt.Fprintf(w, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(w, "Message-ID: <%s.%s@%s>\r\n", m.ID, kind.suffix, host)
	fmt.Fprintf(w, "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n")
	fmt.Fprintf(w, "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(w, "This is a MIME-encapsulated message.\r\n\r\n--%s\r\n", boundary)
	writeNotice(w, host, kind, rcpts)
	fmt.Fprintf(w, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary)
	q.writeStatus(w, m, kind, rcpts, now)
	return q.writeReturned(w, m, boundary, kind.headers)
}

func writeNotice(w io.Writer, host string, kind dsnKind, rcpts []Rcpt) {
	fmt.Fprintf(w, "Content-Type: text/plain; charset=utf-8\r\nContent-Description: Notification\r\n\r\n")
	fmt.Fprintf(w, "This is the mail system at host %s (Facteur).\r\n\r\n", host)
	fmt.Fprintf(w, "%s\r\n", kind.notice)
	for _, r := range rcpts {
		fmt.Fprintf(w, "<%s>: %s\r\n", r.Addr, oneLine(r.LastError))
	}
}

func (q *Queue) writeStatus(w io.Writer, m *Message, kind dsnKind, rcpts []Rcpt, now time.Time) {
	fmt.Fprintf(w, "Reporting-MTA: dns; %s\r\n", q.opt.Hostname)
	if m.EnvID != "" {
		fmt.Fprintf(w, "Original-Envelope-Id: %s\r\n", oneLine(m.EnvID))
	}
	fmt.Fprintf(w, "X-Facteur-Queue-ID: %s\r\n", m.ID)
	fmt.Fprintf(w, "Arrival-Date: %s\r\n", m.Arrived.Format(time.RFC1123Z))
	for _, r := range rcpts {
		fmt.Fprintf(w, "\r\nFinal-Recipient: rfc822; %s\r\n", r.Addr)
		if r.ORcpt != "" && r.ORcpt != r.Addr {
			fmt.Fprintf(w, "Original-Recipient: rfc822; %s\r\n", oneLine(r.ORcpt))
		}
		fmt.Fprintf(w, "Action: %s\r\nStatus: %s\r\n", kind.action, statusOf(r, kind))
		if r.Remote != "" {
			fmt.Fprintf(w, "Remote-MTA: dns; %s\r\n", r.Remote)
		}
		if r.LastError != "" {
			fmt.Fprintf(w, "Diagnostic-Code: smtp; %s\r\n", oneLine(r.LastError))
		}
		fmt.Fprintf(w, "Last-Attempt-Date: %s\r\n", now.Format(time.RFC1123Z))
		if kind.action == dsnDelayed.action {
			fmt.Fprintf(w, "Will-Retry-Until: %s\r\n", m.Arrived.Add(q.opt.MaxLifetime).Format(time.RFC1123Z))
		}
	}
}

// statusOf returns the Status of a recipient: the enhanced code of its
// last attempt, or X.0.0 in the class of the report (5 for a failure, 4
// for a delay) when the attempt gave none or a success.
func statusOf(r Rcpt, kind dsnKind) string {
	if r.Enhanced == "" || r.Enhanced[0] == '2' {
		return string(kind.status) + ".0.0"
	}
	return r.Enhanced
}

// writeReturned attaches the original message, or only its header.
func (q *Queue) writeReturned(w io.Writer, m *Message, boundary string, headersOnly bool) error {
	rc, err := q.OpenBody(m.ID)
	if err != nil {
		return err
	}
	defer rc.Close()
	headersOnly = headersOnly || m.Ret == "HDRS" || m.Size > maxReturned
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
