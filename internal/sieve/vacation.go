package sieve

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"

	"facteur/internal/sieve/ext"

	"github.com/emersion/go-message/textproto"
)

// NoReply says why a vacation action sends nothing (RFC 5230 §4.5, §4.6,
// RFC 3834 §2): these are decisions, not failures.
type NoReply struct {
	Why string
}

func (e *NoReply) Error() string { return "vacation: no reply: " + e.Why }

// VacationOptions say who the user is for a vacation reply.
type VacationOptions struct {
	// Addresses are the user's: the envelope recipient, the account's
	// address; the vacation's :addresses are added.
	Addresses []string
	// Account names the script's owner in the memory.
	Account string
	// Hostname goes into the reply's Message-ID.
	Hostname string
	// Now is the time of the reply; zero means time.Now().
	Now time.Time
	// Memory remembers whom was answered; nil answers every time.
	Memory *VacationMemory
}

// Reply is a vacation reply to send: with the null reverse path (RFC 5230
// §5.1 asks that replies cause no further replies or bounces), to the
// sender of the original.
type Reply struct {
	To   string
	Data []byte
}

// VacationReply decides whether the vacation action v answers m and, if
// so, returns the reply and records it in the memory. A *NoReply error
// says why it does not.
func VacationReply(ctx context.Context, v ext.Vacation, m Message, opt VacationOptions) (Reply, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(m.Raw)))
	sender := strings.ToLower(m.Envelope.From)
	mine := append(append([]string(nil), opt.Addresses...), v.Addresses...)
	if why := skipReason(h, sender, mine); why != "" {
		return Reply{}, &NoReply{Why: why}
	}
	data := buildReply(v, h, m.Envelope.From, firstAddr(mine), opt)
	if opt.Memory != nil {
		key := opt.Account + "\x00" + v.Handle + "\x00" + sender
		until := opt.Now.Add(time.Duration(v.Days) * 24 * time.Hour)
		claimed, err := opt.Memory.Claim(ctx, key, opt.Now, until)
		if err != nil {
			return Reply{}, err
		}
		if !claimed {
			return Reply{}, &NoReply{Why: fmt.Sprintf("%s was answered less than %d days ago", sender, v.Days)}
		}
	}
	return Reply{To: m.Envelope.From, Data: data}, nil
}

// skipReason returns why a message gets no vacation reply, "" if it gets one.
func skipReason(h textproto.Header, sender string, mine []string) string {
	local, _, _ := strings.Cut(sender, "@")
	switch {
	case sender == "":
		return "the message is a bounce (null reverse path)"
	case local == "mailer-daemon" || local == "postmaster" || local == "listserv" || local == "majordomo" ||
		strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request"):
		return "the sender " + sender + " is a robot or a list (RFC 5230 §4.6)"
	case h.Get("Auto-Submitted") != "" && !strings.EqualFold(strings.TrimSpace(h.Get("Auto-Submitted")), "no"):
		return "the message was sent automatically (Auto-Submitted)"
	case h.Has("List-Id") || h.Has("List-Post") || h.Has("List-Unsubscribe"):
		return "the message comes from a mailing list (List-Id)"
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list", "junk":
		return "the message is bulk mail (Precedence)"
	}
	if containsAddr(mine, sender) {
		return "the sender is the user"
	}
	if !addressedTo(h, mine) {
		return "none of the user's addresses is in To or Cc (RFC 5230 §4.5)"
	}
	return ""
}

// addressedTo reports whether a recipient field names one of addrs.
func addressedTo(h textproto.Header, addrs []string) bool {
	for _, k := range []string{"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"} {
		fields := h.FieldsByKey(k)
		for fields.Next() {
			list, _ := mail.ParseAddressList(decodeValue(fields.Value()))
			for _, a := range list {
				if containsAddr(addrs, a.Address) {
					return true
				}
			}
		}
	}
	return false
}

func containsAddr(list []string, addr string) bool {
	for _, a := range list {
		if a != "" && strings.EqualFold(strings.TrimSpace(a), addr) {
			return true
		}
	}
	return false
}

func firstAddr(list []string) string {
	for _, a := range list {
		if a != "" {
			return a
		}
	}
	return ""
}

// buildReply writes the reply (RFC 5230 §5): Subject "Auto: " and the
// original's unless :subject says, In-Reply-To and References, and
// Auto-Submitted: auto-replied (RFC 3834 §5).
func buildReply(v ext.Vacation, orig textproto.Header, to, user string, opt VacationOptions) []byte {
	from := v.From
	if from == "" {
		from = user
	}
	subject := v.Subject
	if subject == "" {
		subject = "Auto: " + decodeValue(orig.Get("Subject"))
	}
	var b bytes.Buffer
	field := func(k, val string) {
		if val != "" {
			b.WriteString(k + ": " + strings.NewReplacer("\r", "", "\n", "").Replace(val) + "\r\n")
		}
	}
	field("From", from)
	field("To", to)
	field("Subject", mime.QEncoding.Encode("utf-8", subject))
	field("Date", opt.Now.Format(time.RFC1123Z))
	field("Message-ID", "<"+randomID()+"@"+opt.Hostname+">")
	if id := strings.TrimSpace(orig.Get("Message-Id")); id != "" {
		field("In-Reply-To", id)
		field("References", strings.TrimSpace(decodeValue(orig.Get("References"))+" "+id))
	}
	field("Auto-Submitted", "auto-replied (vacation)")
	field("MIME-Version", "1.0")
	if v.MIME {
		b.WriteString(crlf(strings.TrimLeft(v.Reason, "\r\n")))
		return b.Bytes()
	}
	field("Content-Type", "text/plain; charset=utf-8")
	field("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(crlf(v.Reason))
	if !strings.HasSuffix(v.Reason, "\n") {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// crlf gives every line a CRLF end.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "vacation." + hex.EncodeToString(b[:])
}
