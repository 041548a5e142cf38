package app

import (
	"strings"

	"fyne.io/fyne/v2/lang"

	"facteur/internal/mailaddr"
	"facteur/mua/inspect"
)

// The libraries write their sentences in English (Finding.Text, Note.Text,
// EntryVerdict.Text) and give a kind to translate by. English shows the
// library's own sentence, "{{.Text}}" in en.json; French has a sentence per
// kind, filled with the values the kind carries.

// findingText is a finding in the user's language.
func findingText(f inspect.Finding, r *inspect.Report) string {
	d := map[string]any{"Text": f.Text, "Hop": f.Hop, "Addrs": strings.Join(f.Addrs, ", "),
		"A": nth(f.Addrs, 0), "B": nth(f.Addrs, 1), "Count": len(r.Headers.Bad),
		"Source": sourceText(r.Envelope.MailFromSource, evidenceHop(r.Envelope.Senders, r.Envelope.MailFromSource))}
	switch f.Kind {
	case inspect.FindEnvelopeSender:
		return lang.X("finding.envelope-sender", f.Text, d)
	case inspect.FindBounce:
		return lang.X("finding.bounce", f.Text, d)
	case inspect.FindHiddenRecipient:
		return lang.X("finding.hidden-recipient", f.Text, d)
	case inspect.FindMailingList:
		return lang.X("finding.mailing-list", f.Text, d)
	case inspect.FindForward:
		return lang.X("finding.forward", f.Text, d)
	case inspect.FindSenderField:
		return lang.X("finding.sender-field", f.Text, d)
	case inspect.FindReplyTo:
		return lang.X("finding.reply-to", f.Text, d)
	}
	return routeFindingText(f, d)
}

// routeFindingText translates the findings on the route, the header and DNS.
func routeFindingText(f inspect.Finding, d map[string]any) string {
	switch f.Kind {
	case inspect.FindNoReceived:
		return lang.X("finding.no-received", f.Text, d)
	case inspect.FindUnparsedReceived:
		return lang.X("finding.unparsed-received", f.Text, d)
	case inspect.FindDateAfterReceived:
		return lang.X("finding.date-after-received", f.Text, d)
	case inspect.FindClockSkew:
		return lang.X("finding.clock-skew", f.Text, d)
	case inspect.FindBadHeader:
		return lang.X("finding.bad-header", f.Text, d)
	case inspect.FindRDNSMismatch:
		return lang.X("finding.rdns-mismatch", f.Text, d)
	case inspect.FindDKIM:
		return lang.X("finding.dkim", f.Text, d)
	}
	return f.Text
}

func nth(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// noteText is an address form's explanation in the user's language.
func noteText(n mailaddr.Note) string {
	d := map[string]any{"Text": n.Text}
	switch n.Form {
	case mailaddr.FormPlain:
		return lang.X("form.plain", n.Text, d)
	case mailaddr.FormDisplayName:
		return lang.X("form.display-name", n.Text, d)
	case mailaddr.FormEncodedName:
		return lang.X("form.encoded-name", n.Text, d)
	case mailaddr.FormComment:
		return lang.X("form.comment", n.Text, d)
	case mailaddr.FormQuotedLocal:
		return lang.X("form.quoted-local", n.Text, d)
	case mailaddr.FormSourceRoute:
		return lang.X("form.source-route", n.Text, d)
	case mailaddr.FormLiteral:
		return lang.X("form.literal", n.Text, d)
	case mailaddr.FormLiteralIPv6:
		return lang.X("form.literal-ipv6", n.Text, d)
	case mailaddr.FormObsoleteSpaces:
		return lang.X("form.obsolete-spaces", n.Text, d)
	}
	return pathNoteText(n, d)
}

// pathNoteText translates the forms of groups, international addresses and
// SMTP paths.
func pathNoteText(n mailaddr.Note, d map[string]any) string {
	switch n.Form {
	case mailaddr.FormGroup:
		return lang.X("form.group", n.Text, d)
	case mailaddr.FormEmptyGroup:
		return lang.X("form.empty-group", n.Text, d)
	case mailaddr.FormUTF8Local:
		return lang.X("form.utf8-local", n.Text, d)
	case mailaddr.FormIDN:
		return lang.X("form.idn", n.Text, d)
	case mailaddr.FormNullPath:
		return lang.X("form.null-path", n.Text, d)
	case mailaddr.FormPostmaster:
		return lang.X("form.postmaster", n.Text, d)
	case mailaddr.FormParams:
		return lang.X("form.params", n.Text, d)
	case mailaddr.FormNoBrackets:
		return lang.X("form.no-brackets", n.Text, d)
	}
	return n.Text
}

// verdictText tells which MX of a recipient domain took the message in.
func verdictText(v inspect.EntryVerdict) string {
	d := map[string]any{"Text": v.Text, "Domain": v.Domain, "Hop": v.Hop, "Host": v.Host, "Pref": v.Pref}
	switch v.Rank {
	case inspect.RankPrimary:
		return lang.X("verdict.primary", v.Text, d)
	case inspect.RankSecondary:
		return lang.X("verdict.secondary", v.Text, d)
	case inspect.RankNone:
		return lang.X("verdict.none", v.Text, d)
	case inspect.RankNullMX:
		return lang.X("verdict.null-mx", v.Text, d)
	}
	return lang.X("verdict.unknown", v.Text, d)
}

// statusText is the outcome of a look-up that did not answer.
func statusText(s inspect.LookupStatus) string {
	switch s {
	case inspect.StatusPending:
		return lang.L("Looking up…")
	case inspect.StatusOK:
		return ""
	case inspect.StatusNotFound:
		return lang.L("no such record")
	case inspect.StatusTemporary:
		return lang.L("temporary failure (SERVFAIL or timeout)")
	case inspect.StatusOffline:
		return lang.L("offline")
	case inspect.StatusCanceled:
		return lang.L("abandoned")
	}
	return lang.L("failed")
}

// familyTitle is the title of a header family, in the course's words.
func familyTitle(f inspect.Family) string {
	switch f {
	case inspect.FamilyTrace:
		return lang.L("Trace (Cheminement du courrier)")
	case inspect.FamilyOrigin:
		return lang.L("Origin (Origine du courrier)")
	case inspect.FamilyRecipients:
		return lang.L("Recipients (Destinataire(s) du courrier)")
	case inspect.FamilyIdentification:
		return lang.L("Identification (Identification du courrier)")
	case inspect.FamilyResent:
		return lang.L("Resent (Renvoi)")
	}
	return lang.L("Other (Autres)")
}
