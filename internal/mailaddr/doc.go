// Package mailaddr parses e-mail addresses in every form a mail client meets,
// and explains each form.
//
// It reads the addresses of header fields (RFC 5322 §3.4, with the obsolete
// syntax of §4.4 that must still be accepted), the SMTP paths of MAIL FROM and
// RCPT TO (RFC 5321 §4.1.2), and internationalised addresses (RFC 6531,
// RFC 6532, IDNA of RFC 5890/5891). Unlike net/mail it takes the legacy forms
// taught in the course and still found in old archives:
//
//	user1@domaine                      plain addr-spec
//	user1(Nom Prénom)@domaine          comment, ignored for routing (RFC 5322 §3.2.2)
//	"Nom Prénom"@domaine               quoted local part, one word (RFC 5322 §3.4.1)
//	<@domaine2:user1@domaine3>         source route, deprecated (RFC 1123 §5.2.19,
//	<@a,@b:u@c>                        RFC 5321 §3.6.1 and Appendix C)
//	user1@[192.168.42.1]               address literals, no MX look-up
//	u@[IPv6:2001:db8::1]               (RFC 5321 §4.1.3)
//	jacques @ urec.fr                  obsolete spaces (RFC 5322 §4.4)
//	=?utf-8?q?Fran=C3=A7ois?= <f@x>    encoded display name (RFC 2047)
//	Team: a@b, c@d;                    groups, and empty groups such as
//	undisclosed-recipients:;           undisclosed-recipients (RFC 5322 §3.4)
//	δοκιμή@παράδειγμα.δοκιμή           UTF-8 local part and IDN domain (RFC 6531/6532)
//
// Parse reads one mailbox, ParseList a header field's address list, ParsePath
// the argument of an SMTP MAIL FROM or RCPT TO command (null reverse-path <>,
// <postmaster>, source routes, ESMTP parameters). Explain and ExplainPath
// describe, one sentence per form, what an address uses; Validate is the
// stricter check of the composer.
//
// Errors are *ParseError values whose Reason wraps one of the Err* sentinels,
// for errors.Is.
package mailaddr
