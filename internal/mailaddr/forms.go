package mailaddr

// Form is one way of writing an address; the parsers record in
// Address.Forms the forms that a text uses.
type Form int

// The forms, in the order Explain lists them.
const (
	FormPlain          Form = iota // user1@domaine
	FormDisplayName                // Nom <user1@domaine>
	FormEncodedName                // =?utf-8?q?...?= <user1@domaine> (RFC 2047)
	FormComment                    // user1(Nom Prénom)@domaine, user1@domaine (Nom)
	FormQuotedLocal                // "Nom Prénom"@domaine
	FormSourceRoute                // <@domaine2:user1@domaine3> (deprecated)
	FormLiteral                    // user1@[192.168.42.1]
	FormLiteralIPv6                // u@[IPv6:2001:db8::1]
	FormObsoleteSpaces             // jacques @ urec.fr (RFC 5322 §4.4)
	FormGroup                      // Team: a@b, c@d;
	FormEmptyGroup                 // undisclosed-recipients:;
	FormUTF8Local                  // UTF-8 local part (RFC 6531/6532)
	FormIDN                        // internationalised domain name (RFC 5890)
	FormNullPath                   // MAIL FROM:<>
	FormPostmaster                 // RCPT TO:<postmaster>
	FormParams                     // MAIL FROM:<a@b> SIZE=100 BODY=8BITMIME
	FormNoBrackets                 // MAIL FROM:a@b (no angle brackets)
	numForms
)

var formNames = [numForms]string{
	"plain", "display-name", "encoded-name", "comment", "quoted-local",
	"source-route", "literal", "literal-ipv6", "obsolete-spaces", "group",
	"empty-group", "utf8-local", "idn", "null-path", "postmaster", "params",
	"no-brackets",
}

// String returns a stable key such as "source-route", for translations and JSON.
func (f Form) String() string {
	if f < 0 || f >= numForms {
		return "unknown"
	}
	return formNames[f]
}

// FormSet is a set of forms.
type FormSet uint32

// Has reports whether f is in the set.
func (s FormSet) Has(f Form) bool { return s&(1<<f) != 0 }

func (s *FormSet) add(f Form) { *s |= 1 << f }

// Note explains one form in one English sentence; the GUI translates by Form.
type Note struct {
	Form       Form
	Text       string
	Deprecated bool   // deprecated or discouraged: the composer should warn
	Ref        string // the RFC section, e.g. "RFC 1123 §5.2.19"
}

var notes = [numForms]Note{
	{FormPlain, "A plain address local@domain: the mailbox “local” at “domain”, whose mail servers an MX look-up finds.", false, "RFC 5322 §3.4.1"},
	{FormDisplayName, "A display name before the address in angle brackets: it is for people, MTAs route on the address alone.", false, "RFC 5322 §3.4"},
	{FormEncodedName, "The display name is made of RFC 2047 encoded-words (=?charset?Q/B?text?=) so that non-ASCII text fits in an ASCII header; it is shown decoded.", false, "RFC 2047 §5"},
	{FormComment, "A comment in parentheses: MTAs ignore it for routing, mail clients show it, often as the person's name.", false, "RFC 5322 §3.2.2"},
	{FormQuotedLocal, "The local part is a quoted string: everything between the quotes, spaces included, is one word naming one mailbox.", false, "RFC 5322 §3.4.1; RFC 5321 §4.1.2"},
	{FormSourceRoute, "A source route: it asks that the mail be sent first to the listed relay(s), which pass it on; deprecated, MTAs ignore the route and use the final address.", true, "RFC 1123 §5.2.19; RFC 5321 §3.6.1, Appendix C"},
	{FormLiteral, "An IPv4 address literal in brackets: the mail goes straight to that IP address, with no MX look-up; allowed but discouraged.", true, "RFC 5321 §4.1.3, §5.1"},
	{FormLiteralIPv6, "An IPv6 address literal ([IPv6:...]): the mail goes straight to that IPv6 address, with no MX look-up; allowed but discouraged.", true, "RFC 5321 §4.1.3, §5.1"},
	{FormObsoleteSpaces, "Spaces or comments around the @ or the dots: obsolete syntax that must still be read but should not be written; the address is the same without them.", true, "RFC 5322 §3.4.1, §4.4"},
	{FormGroup, "A member of a named group (Name: addresses;): the group name is only a label for the reader.", false, "RFC 5322 §3.4"},
	{FormEmptyGroup, "An empty group such as undisclosed-recipients:; the recipients are not shown, typically because they were all in Bcc.", false, "RFC 5322 §3.4, §3.6.3"},
	{FormUTF8Local, "A UTF-8 local part: sending it needs servers that announce SMTPUTF8.", false, "RFC 6531; RFC 6532"},
	{FormIDN, "An internationalised domain name: DNS and SMTP use its ASCII form (punycode, xn--...).", false, "RFC 5890; RFC 5891"},
	{FormNullPath, "The null reverse-path <>: the message is a bounce or another automatic notice, to which nothing may be bounced.", false, "RFC 5321 §4.5.5"},
	{FormPostmaster, "<postmaster> without a domain: the postmaster of the receiving server, which every SMTP server must accept.", false, "RFC 5321 §4.1.1.3, §4.5.1"},
	{FormParams, "ESMTP parameters after the path (SIZE=, BODY=8BITMIME...): options of the MAIL or RCPT command, not part of the address.", false, "RFC 5321 §4.1.2; RFC 1870; RFC 6152"},
	{FormNoBrackets, "A path without angle brackets: RFC 5321 requires <...>, many servers accept it anyway.", true, "RFC 5321 §4.1.2"},
}

// Explain returns one note for each form in a.Forms, in Form order. For an
// SMTP path, explain Path.Address: ParsePath records the forms of the path
// (null path, parameters, missing brackets) there too.
func Explain(a Address) []Note {
	var out []Note
	for f := Form(0); f < numForms; f++ {
		if a.Forms.Has(f) {
			out = append(out, notes[f])
		}
	}
	return out
}
