package inspect

import (
	"slices"
	"strings"
)

// The codes of the sentences of Finding.Text and EntryVerdict.Text. A code
// names one English template (Template) whose {{.Name}} placeholders are
// filled from Args; an application translates the sentence by its code.
const (
	CodeEnvelopeSender      = "envelope-sender"
	CodeBounce              = "bounce"
	CodeSenderField         = "sender-field"
	CodeReplyTo             = "reply-to"
	CodeMailingList         = "mailing-list"
	CodeMailingListID       = "mailing-list-id"
	CodeMailingListSender   = "mailing-list-sender"
	CodeMailingListIDSender = "mailing-list-id-sender"
	CodeResent              = "resent"
	CodeForwardField        = "forward-field"
	CodeAlias               = "alias"
	CodeBcc                 = "bcc"
	CodeHiddenRecipient     = "hidden-recipient"
	CodeNoReceived          = "no-received"
	CodeDateAfterReceived   = "date-after-received"
	CodeUnparsedReceived    = "unparsed-received"
	CodeClockSkew           = "clock-skew"
	CodeBadHeader           = "bad-header"
	CodeRDNSMismatch        = "rdns-mismatch"
	CodeDKIM                = "dkim"
	CodeEntryPrimary        = "entry-primary"
	CodeEntryImplicit       = "entry-implicit"
	CodeEntrySecondary      = "entry-secondary"
	CodeEntryNone           = "entry-none"
	CodeEntryNullMX         = "entry-null-mx"
	CodeEntryLookupFailed   = "entry-lookup-failed"
)

// listAuthor ends the sentences on a mailing list.
const listAuthor = " The list, not the author, sent it to you."

// templates are the English sentences, by code.
var templates = map[string]string{
	CodeEnvelopeSender: "The envelope sender {{.MailFrom}} ({{.Source}}) differs from the From field {{.From}}: " +
		"bounces go to the envelope sender, not to From.",
	CodeBounce:            "The envelope sender is empty (MAIL FROM:<>): a bounce or an automatic reply (RFC 5321 §4.5.5).",
	CodeSenderField:       "Sender {{.Sender}} sent the message on behalf of {{.From}} (RFC 5322 §3.6.2).",
	CodeReplyTo:           "Replies go to {{.ReplyTo}}, not to the From address {{.From}}.",
	CodeMailingList:       "The message came through a mailing list." + listAuthor,
	CodeMailingListID:     "The message came through a mailing list (List-Id: {{.ListID}})." + listAuthor,
	CodeMailingListSender: "The message came through a mailing list; the list's envelope sender is {{.MailFrom}}." + listAuthor,
	CodeMailingListIDSender: "The message came through a mailing list (List-Id: {{.ListID}}); " +
		"the list's envelope sender is {{.MailFrom}}." + listAuthor,
	CodeResent:       "The message was resent (Resent- fields, RFC 5322 §3.6.6): someone passed it on unchanged.",
	CodeForwardField: "A server forwarded the message ({{.Field}}: {{.Value}}).",
	CodeAlias:        "Addressed in the envelope to {{.Original}}, delivered to {{.Delivered}}: an alias or a forward.",
	CodeBcc:          "{{.Rcpt}} received the message as a blind copy (Bcc).",
	CodeHiddenRecipient: "{{.Rcpt}} is an envelope recipient ({{.Source}}) but appears in neither To nor Cc: " +
		"a blind copy (Bcc), a list or a forward.",
	CodeNoReceived:        "No Received field: the message never went through an MTA (a draft, a sent copy, or a local file).",
	CodeDateAfterReceived: "The Date field is {{.Delay}} later than the first hop: the sender's clock is wrong.",
	CodeUnparsedReceived:  "Received field {{.Hop}} could not be read; it is shown as written.",
	CodeClockSkew:         "Hop {{.Hop}} is dated {{.Delay}} before the previous hop: one of the two clocks is wrong.",
	CodeBadHeader:         "{{.Count}} header line(s) are neither a field nor a continuation; they were skipped.",
	CodeRDNSMismatch:      "The receiving server wrote {{.Written}} for {{.IP}}, but PTR now gives {{.Names}}.",
	CodeDKIM:              "The DKIM signature of {{.Domain}} does not verify now ({{.Result}}): {{.Error}}.",
	CodeEntryPrimary:      "Hop {{.Hop}} was received by {{.Host}}, the primary MX of {{.Domain}} (preference {{.Pref}}).",
	CodeEntryImplicit: "Hop {{.Hop}} was received by {{.Host}}, the implicit MX (no MX record, its A/AAAA stand in, " +
		"RFC 5321 §5.1) of {{.Domain}} (preference {{.Pref}}).",
	CodeEntrySecondary: "Hop {{.Hop}} was received by {{.Host}}, a secondary MX of {{.Domain}} (preference {{.Pref}}): " +
		"the primary MX was probably unreachable, so the secondary queued the message and passed it on when the primary came back.",
	CodeEntryNone: "No hop was received by an MX of {{.Domain}}: its servers record internal names, or the message " +
		"reached the mailbox another way (a forward, a transport table, a smarthost).",
	CodeEntryNullMX:       "{{.Domain}} publishes a null MX (RFC 7505): it accepts no mail.",
	CodeEntryLookupFailed: "The MX of {{.Domain}} could not be looked up ({{.Status}}).",
}

// cutTemplate is a template cut at its placeholders: literal text, and
// argument names where key is set.
type cutTemplate []sentencePart

type sentencePart struct {
	text string
	key  bool
}

// compiled are the templates, cut once. Rendering them by hand costs one
// allocation, where text/template cost a dozen per finding; the test
// checks that both give the same sentence.
var compiled = func() map[string]cutTemplate {
	out := make(map[string]cutTemplate, len(templates))
	for code, text := range templates {
		out[code] = compileSentence(code, text)
	}
	return out
}()

// compileSentence cuts a template whose only actions are {{.Name}}
// placeholders; any other action is a programming error.
func compileSentence(code, t string) cutTemplate {
	var out cutTemplate
	for t != "" {
		i := strings.Index(t, "{{")
		if i < 0 {
			return append(out, sentencePart{text: t})
		}
		j := strings.Index(t[i:], "}}")
		name, ok := strings.CutPrefix(t[i+2:max(i+2, i+j)], ".")
		if j < 0 || !ok || !isIdentifier(name) {
			panic("inspect: template " + code + ": only {{.Name}} placeholders are allowed")
		}
		if i > 0 {
			out = append(out, sentencePart{text: t[:i]})
		}
		out = append(out, sentencePart{text: name, key: true})
		t = t[i+j+2:]
	}
	return out
}

func isIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && isDecimal(c)) {
			return false
		}
	}
	return s != ""
}

// vars are the arguments of a sentence.
type vars = map[string]string

// Codes lists the codes of every sentence, sorted.
func Codes() []string {
	out := make([]string, 0, len(templates))
	for code := range templates {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// Template is the English sentence of a code, with {{.Name}} placeholders
// for its arguments; "" for an unknown code.
func Template(code string) string { return templates[code] }

// Render fills the English sentence of a code with its arguments. It
// returns "" for an unknown code and the template as written when an
// argument is missing.
func Render(code string, args map[string]string) string {
	t, ok := compiled[code]
	if !ok {
		return ""
	}
	n, ok := t.size(args)
	if !ok {
		return templates[code]
	}
	var b strings.Builder
	b.Grow(n)
	t.write(&b, args)
	return b.String()
}

// size returns the length of the sentence filled with args; ok is false
// when an argument is missing.
func (t cutTemplate) size(args map[string]string) (n int, ok bool) {
	for _, p := range t {
		if !p.key {
			n += len(p.text)
			continue
		}
		v, ok := args[p.text]
		if !ok {
			return 0, false
		}
		n += len(v)
	}
	return n, true
}

// write writes the sentence filled with args, which must all be there.
func (t cutTemplate) write(b *strings.Builder, args map[string]string) {
	for _, p := range t {
		if p.key {
			b.WriteString(args[p.text])
		} else {
			b.WriteString(p.text)
		}
	}
}

// textArena hands out strings cut from shared blocks: the sentences and
// durations of a route's findings (a clock skew a hop, at worst) cost an
// allocation a block, not two a finding.
type textArena struct{ b strings.Builder }

const arenaBlock = 512

// reserve makes room for n bytes in the current block, or starts a new
// one; the strings cut from the old block stay as they are, since a
// block is never written again once left.
func (a *textArena) reserve(n int) {
	if a.b.Cap()-a.b.Len() < n {
		a.b = strings.Builder{}
		a.b.Grow(max(n, arenaBlock))
	}
}

// bytes returns a string of b.
func (a *textArena) bytes(b []byte) string {
	a.reserve(len(b))
	start := a.b.Len()
	a.b.Write(b)
	return a.b.String()[start:]
}

// say sets the finding's sentence as Finding.say does, with the text cut
// from the arena.
func (a *textArena) say(f Finding, code string, args vars) Finding {
	t, ok := compiled[code]
	n, full := t.size(args)
	if !ok || !full {
		return f.say(code, args)
	}
	a.reserve(n)
	start := a.b.Len()
	t.write(&a.b, args)
	f.Code, f.Args, f.Text = code, args, a.b.String()[start:]
	return f
}

// say sets the finding's sentence: its code, arguments and English text.
func (f Finding) say(code string, args vars) Finding {
	f.Code, f.Args, f.Text = code, args, Render(code, args)
	return f
}

// say sets the verdict's sentence: its code, arguments and English text.
func (v EntryVerdict) say(code string, args vars) EntryVerdict {
	v.Code, v.Args, v.Text = code, args, Render(code, args)
	return v
}
