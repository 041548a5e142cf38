package app

import (
	"maps"

	"fyne.io/fyne/v2/lang"

	"facteur/mua/inspect"
)

// The inspector library writes its findings and MX verdicts in English
// (Text) and gives each sentence a code and the values of its placeholders
// (Code, Args). Here each code has its English template as the lang.L key:
// the very template of inspect.Template, so that English shows the
// library's sentence; fr.json has the French one. French templates may use,
// besides Args, the translated names the app adds: SourceName, StatusName.

// sentenceGroups translate the codes, a group of codes each.
var sentenceGroups = []func(code string, args map[string]string) (string, bool){
	senderSentence, listSentence, forwardSentence, routeSentence, entrySentence}

// sentenceText is a sentence in the user's language, or text, the library's
// English, for a code it does not know.
func sentenceText(code string, args map[string]string, text string) string {
	for _, group := range sentenceGroups {
		if s, ok := group(code, args); ok {
			return s
		}
	}
	return text
}

// findingText is a finding in the user's language.
func findingText(f inspect.Finding, r *inspect.Report) string {
	var clues []inspect.Evidence
	switch f.Code {
	case inspect.CodeEnvelopeSender:
		clues = r.Envelope.Senders
	case inspect.CodeHiddenRecipient:
		clues = r.Envelope.Recipients
	default:
		return sentenceText(f.Code, f.Args, f.Text)
	}
	src := inspect.Source(f.Args["Source"])
	return sentenceText(f.Code, withArg(f.Args, "SourceName", sourceText(src, evidenceHop(clues, src))), f.Text)
}

// verdictText tells which MX of a recipient domain took the message in.
func verdictText(v inspect.EntryVerdict) string {
	if v.Code != inspect.CodeEntryLookupFailed {
		return sentenceText(v.Code, v.Args, v.Text)
	}
	var status inspect.LookupStatus
	if err := status.UnmarshalText([]byte(v.Args["Status"])); err != nil {
		status = inspect.StatusError
	}
	return sentenceText(v.Code, withArg(v.Args, "StatusName", statusText(status)), v.Text)
}

// withArg is a copy of args with one more: the report's map is not the
// window's to change.
func withArg(args map[string]string, name, value string) map[string]string {
	out := maps.Clone(args)
	if out == nil {
		out = map[string]string{}
	}
	out[name] = value
	return out
}

// senderSentence translates the remarks on the senders.
func senderSentence(code string, args map[string]string) (string, bool) {
	switch code {
	case inspect.CodeEnvelopeSender:
		return lang.L("The envelope sender {{.MailFrom}} ({{.Source}}) differs from the From field {{.From}}: bounces go to the envelope sender, not to From.", args), true
	case inspect.CodeBounce:
		return lang.L("The envelope sender is empty (MAIL FROM:<>): a bounce or an automatic reply (RFC 5321 §4.5.5).", args), true
	case inspect.CodeSenderField:
		return lang.L("Sender {{.Sender}} sent the message on behalf of {{.From}} (RFC 5322 §3.6.2).", args), true
	case inspect.CodeReplyTo:
		return lang.L("Replies go to {{.ReplyTo}}, not to the From address {{.From}}.", args), true
	}
	return "", false
}

// listSentence translates the remarks on a mailing list.
func listSentence(code string, args map[string]string) (string, bool) {
	switch code {
	case inspect.CodeMailingList:
		return lang.L("The message came through a mailing list. The list, not the author, sent it to you.", args), true
	case inspect.CodeMailingListID:
		return lang.L("The message came through a mailing list (List-Id: {{.ListID}}). The list, not the author, sent it to you.", args), true
	case inspect.CodeMailingListSender:
		return lang.L("The message came through a mailing list; the list's envelope sender is {{.MailFrom}}. The list, not the author, sent it to you.", args), true
	case inspect.CodeMailingListIDSender:
		return lang.L("The message came through a mailing list (List-Id: {{.ListID}}); the list's envelope sender is {{.MailFrom}}. The list, not the author, sent it to you.", args), true
	}
	return "", false
}

// forwardSentence translates the remarks on forwards and recipients.
func forwardSentence(code string, args map[string]string) (string, bool) {
	switch code {
	case inspect.CodeResent:
		return lang.L("The message was resent (Resent- fields, RFC 5322 §3.6.6): someone passed it on unchanged.", args), true
	case inspect.CodeForwardField:
		return lang.L("A server forwarded the message ({{.Field}}: {{.Value}}).", args), true
	case inspect.CodeAlias:
		return lang.L("Addressed in the envelope to {{.Original}}, delivered to {{.Delivered}}: an alias or a forward.", args), true
	case inspect.CodeBcc:
		return lang.L("{{.Rcpt}} received the message as a blind copy (Bcc).", args), true
	case inspect.CodeHiddenRecipient:
		return lang.L("{{.Rcpt}} is an envelope recipient ({{.Source}}) but appears in neither To nor Cc: a blind copy (Bcc), a list or a forward.", args), true
	}
	return "", false
}

// routeSentence translates the remarks on the route, the header and DNS.
func routeSentence(code string, args map[string]string) (string, bool) {
	switch code {
	case inspect.CodeNoReceived:
		return lang.L("No Received field: the message never went through an MTA (a draft, a sent copy, or a local file).", args), true
	case inspect.CodeDateAfterReceived:
		return lang.L("The Date field is {{.Delay}} later than the first hop: the sender's clock is wrong.", args), true
	case inspect.CodeUnparsedReceived:
		return lang.L("Received field {{.Hop}} could not be read; it is shown as written.", args), true
	case inspect.CodeClockSkew:
		return lang.L("Hop {{.Hop}} is dated {{.Delay}} before the previous hop: one of the two clocks is wrong.", args), true
	case inspect.CodeBadHeader:
		return lang.L("{{.Count}} header line(s) are neither a field nor a continuation; they were skipped.", args), true
	case inspect.CodeRDNSMismatch:
		return lang.L("The receiving server wrote {{.Written}} for {{.IP}}, but PTR now gives {{.Names}}.", args), true
	case inspect.CodeDKIM:
		return lang.L("The DKIM signature of {{.Domain}} does not verify now ({{.Result}}): {{.Error}}.", args), true
	}
	return "", false
}

// entrySentence translates the verdicts on the MX that took the message in.
func entrySentence(code string, args map[string]string) (string, bool) {
	switch code {
	case inspect.CodeEntryPrimary:
		return lang.L("Hop {{.Hop}} was received by {{.Host}}, the primary MX of {{.Domain}} (preference {{.Pref}}).", args), true
	case inspect.CodeEntryImplicit:
		return lang.L("Hop {{.Hop}} was received by {{.Host}}, the implicit MX (no MX record, its A/AAAA stand in, RFC 5321 §5.1) of {{.Domain}} (preference {{.Pref}}).", args), true
	case inspect.CodeEntrySecondary:
		return lang.L("Hop {{.Hop}} was received by {{.Host}}, a secondary MX of {{.Domain}} (preference {{.Pref}}): the primary MX was probably unreachable, so the secondary queued the message and passed it on when the primary came back.", args), true
	case inspect.CodeEntryNone:
		return lang.L("No hop was received by an MX of {{.Domain}}: its servers record internal names, or the message reached the mailbox another way (a forward, a transport table, a smarthost).", args), true
	case inspect.CodeEntryNullMX:
		return lang.L("{{.Domain}} publishes a null MX (RFC 7505): it accepts no mail.", args), true
	case inspect.CodeEntryLookupFailed:
		return lang.L("The MX of {{.Domain}} could not be looked up ({{.Status}}).", args), true
	}
	return "", false
}
