package app

import (
	"fyne.io/fyne/v2/lang"

	"facteur/internal/mailaddr"
	"facteur/mua/inspect"
)

// The address library writes its explanations in English (Note.Text) and
// gives a form to translate by. English shows the library's own sentence,
// "{{.Text}}" in en.json; French has a sentence per form. The inspector's
// findings and verdicts are translated by code (inspector_sentence.go).

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
