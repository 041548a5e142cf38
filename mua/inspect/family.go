package inspect

import (
	"bytes"
	"fmt"
	"strings"
)

// Family is a kind of header field, as the course's slide "Format de
// l'en-tête (1)" sorts them.
type Family uint8

const (
	FamilyTrace          Family = iota + 1 // Cheminement: Received, Return-Path
	FamilyOrigin                           // Origine: From, Sender, Reply-To
	FamilyRecipients                       // Destinataires: To, Cc, Bcc
	FamilyIdentification                   // Identification: Message-Id, In-Reply-To
	FamilyResent                           // Renvoi: Resent-*
	FamilyOther                            // Autres: Subject, Date and the rest
)

// Families lists the families in the course's order.
var Families = []Family{FamilyTrace, FamilyOrigin, FamilyRecipients, FamilyIdentification, FamilyResent, FamilyOther}

var familyInfo = map[Family]struct{ name, course, title string }{
	FamilyTrace:          {"trace", "Cheminement du courrier", "Trace"},
	FamilyOrigin:         {"origin", "Origine du courrier", "Origin"},
	FamilyRecipients:     {"recipients", "Destinataire(s) du courrier", "Recipients"},
	FamilyIdentification: {"identification", "Identification du courrier", "Identification"},
	FamilyResent:         {"resent", "Renvoi", "Resent and forwarded"},
	FamilyOther:          {"other", "Autres", "Other"},
}

// String returns the family's JSON name: "trace", "origin", ...
func (f Family) String() string {
	if i, ok := familyInfo[f]; ok {
		return i.name
	}
	return "other"
}

// Course returns the family's name on the course slide (French).
func (f Family) Course() string { return familyInfo[f].course }

// Title returns the family's English title.
func (f Family) Title() string { return familyInfo[f].title }

// MarshalText writes the family's name.
func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads a family's name.
func (f *Family) UnmarshalText(b []byte) error {
	for k, v := range familyInfo {
		if v.name == string(b) {
			*f = k
			return nil
		}
	}
	return fmt.Errorf("inspect: unknown header family %q", b)
}

// familyOfName maps the lower-case field names that are not "other". The
// course lists Received, Return-Path, From, Sender, Reply-To, To, Cc, Bcc,
// Message-Id, In-Reply-To, Resent-*; the other trace fields of RFC 5321,
// RFC 8601 and RFC 8617, and the envelope fields MDAs add, are trace too.
var familyOfName = map[string]Family{
	"received": FamilyTrace, "return-path": FamilyTrace, "x-received": FamilyTrace,
	"delivered-to": FamilyTrace, "x-original-to": FamilyTrace, "envelope-to": FamilyTrace,
	"x-envelope-from": FamilyTrace, "x-envelope-to": FamilyTrace, "received-spf": FamilyTrace,
	"authentication-results": FamilyTrace, "arc-authentication-results": FamilyTrace,
	"arc-seal": FamilyTrace, "arc-message-signature": FamilyTrace,
	"from": FamilyOrigin, "sender": FamilyOrigin, "reply-to": FamilyOrigin,
	"to": FamilyRecipients, "cc": FamilyRecipients, "bcc": FamilyRecipients,
	"message-id": FamilyIdentification, "in-reply-to": FamilyIdentification,
	"references":     FamilyIdentification,
	"x-forwarded-to": FamilyResent, "x-forwarded-for": FamilyResent,
}

// FamilyOf returns the family of a field name.
func FamilyOf(name string) Family {
	var buf [32]byte
	l, ok := lowerASCIIInto(&buf, name)
	if !ok {
		l = []byte(strings.ToLower(name))
	}
	if f, ok := familyOfName[string(l)]; ok { // the lookup does not allocate
		return f
	}
	if bytes.HasPrefix(l, []byte("resent-")) {
		return FamilyResent
	}
	return FamilyOther
}

// lowerASCIIInto writes s in lower case into buf; ok is false when s is
// too long for it or not ASCII (strings.ToLower's rules then apply).
func lowerASCIIInto(buf *[32]byte, s string) ([]byte, bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return nil, false
		}
		buf[i] = lowerASCII(s[i])
	}
	return buf[:len(s)], true
}

// FamilyGroup is the fields of one family, in header order.
type FamilyGroup struct {
	Family Family  `json:"family"`
	Fields []Field `json:"fields"`
}

// Groups returns the fields grouped by family, in the course's order;
// families without fields are left out.
func (h Headers) Groups() []FamilyGroup {
	var out []FamilyGroup
	for _, fam := range Families {
		g := FamilyGroup{Family: fam}
		for _, f := range h.Fields {
			if f.Family == fam {
				g.Fields = append(g.Fields, f)
			}
		}
		if len(g.Fields) > 0 {
			out = append(out, g)
		}
	}
	return out
}
