package inspect

import (
	"slices"
	"strings"
	"testing"
)

func TestHeaderFamilies(t *testing.T) {
	r := analyzeFile(t, "messages/forward.eml", Options{})
	got := map[Family][]string{}
	for _, g := range r.Headers.Groups() {
		for _, f := range g.Fields {
			got[g.Family] = append(got[g.Family], f.Name)
		}
	}
	want := map[Family][]string{
		FamilyTrace:          {"Return-Path", "X-Original-To", "Delivered-To", "Received", "Received"},
		FamilyOrigin:         {"From"},
		FamilyRecipients:     {"To"},
		FamilyIdentification: {"Message-ID"},
		FamilyResent:         {"Resent-From", "Resent-To", "Resent-Date"},
		FamilyOther:          {"Subject", "Date"},
	}
	for fam, names := range want {
		if !slices.Equal(got[fam], names) {
			t.Errorf("%s (%s) = %v, want %v", fam, fam.Course(), got[fam], names)
		}
	}
	n := 0
	for _, g := range r.Headers.Groups() {
		n += len(g.Fields)
	}
	if n != len(r.Headers.Fields) {
		t.Errorf("groups hold %d fields of %d", n, len(r.Headers.Fields))
	}
}

func TestFamilyOf(t *testing.T) {
	for name, want := range map[string]Family{
		"Received": FamilyTrace, "RETURN-PATH": FamilyTrace, "Authentication-Results": FamilyTrace,
		"Sender": FamilyOrigin, "Reply-To": FamilyOrigin, "bcc": FamilyRecipients,
		"Message-Id": FamilyIdentification, "In-Reply-To": FamilyIdentification,
		"Resent-Message-ID": FamilyResent, "Subject": FamilyOther, "Date": FamilyOther,
		"X-Mailer": FamilyOther, "List-Id": FamilyOther,
	} {
		if got := FamilyOf(name); got != want {
			t.Errorf("FamilyOf(%q) = %s, want %s", name, got, want)
		}
	}
	for _, f := range Families {
		if f.Course() == "" || f.Title() == "" {
			t.Errorf("family %d has no name", f)
		}
		var back Family
		if err := back.UnmarshalText([]byte(f.String())); err != nil || back != f {
			t.Errorf("family %s does not round-trip: %v", f, err)
		}
	}
}

func TestHeaderValues(t *testing.T) {
	r := analyzeFile(t, "messages/list.eml", Options{})
	h := r.Headers
	if h.MessageID != "odj@example.org" || !slices.Equal(h.InReplyTo, []string{"prev@example.org"}) ||
		!slices.Equal(h.References, []string{"first@example.org", "prev@example.org"}) {
		t.Errorf("ids = %q %v %v", h.MessageID, h.InReplyTo, h.References)
	}
	r = analyzeFile(t, "messages/gmail-to-postfix.eml", Options{})
	h = r.Headers
	if h.Subject != "Rendez-vous à Marseille" || h.ContentType != "text/plain" || h.Charset != "UTF-8" || h.MIMEVersion != "1.0" {
		t.Errorf("subject %q type %q charset %q mime %q", h.Subject, h.ContentType, h.Charset, h.MIMEVersion)
	}
	r = analyzeFile(t, "course-example.eml", Options{})
	if r.Headers.Charset != "iso-8859-1" || r.Headers.Date.Format("15:04:05") != "18:19:24" {
		t.Errorf("course charset %q date %v", r.Headers.Charset, r.Headers.Date)
	}
}

func TestMsgIDs(t *testing.T) {
	for in, want := range map[string][]string{
		"<a@b> <c@d>":         {"a@b", "c@d"},
		"<a@b>(comment)<c@d>": {"a@b", "c@d"},
		"bare@id":             {"bare@id"},
		"":                    nil,
		"<unclosed@x":         nil,
		"two words":           nil,
	} {
		if got := msgIDs(in); !slices.Equal(got, want) {
			t.Errorf("msgIDs(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestReadHeaderLenient(t *testing.T) {
	raw := "From sender@example.org Tue Nov  5 10:00:00 2024\n" +
		"Subject : spaced colon\n" +
		"X-Folded: one\n two\r\n\tthree\r\n" +
		" \n" + // a line of spaces ends nothing: it continues
		"no colon here\n" +
		"\n" +
		"Body: not a field\n"
	h := readHeader(raw)
	var names []string
	for _, f := range h.fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"Subject", "X-Folded"}) {
		t.Errorf("fields = %v", names)
	}
	if h.mboxFrom != "sender@example.org" || len(h.bad) != 1 {
		t.Errorf("mbox from %q bad %q", h.mboxFrom, h.bad)
	}
	if v := h.get("X-Folded"); strings.Join(strings.Fields(v), " ") != "one two three" {
		t.Errorf("folded value %q", v)
	}
}

func TestAuthResults(t *testing.T) {
	r := analyzeFile(t, "messages/gmail-to-postfix.eml", Options{})
	if len(r.Auth) != 2 {
		t.Fatalf("%d auth fields: %+v", len(r.Auth), r.Auth)
	}
	top, arc := r.Auth[0], r.Auth[1]
	if top.ServID != "mx.example.com" || top.Position != 1 || top.Error != "" {
		t.Errorf("top = %+v", top)
	}
	if arc.Field != "ARC-Authentication-Results" || arc.Instance != 1 || arc.ServID != "mx.google.com" {
		t.Errorf("arc = %+v", arc)
	}
	for m, want := range map[AuthMethod]string{MethodSPF: "pass", MethodDKIM: "pass", MethodDMARC: "pass", MethodARC: ""} {
		if got := Verdict(r.Auth, m); got != want {
			t.Errorf("Verdict(%s) = %q, want %q", m, got, want)
		}
	}
	var spf AuthResult
	for _, res := range top.Results {
		if res.Method == MethodSPF {
			spf = res
		}
	}
	if spf.Props["smtp.mailfrom"] != "alice@gmail.com" {
		t.Errorf("spf = %+v", spf)
	}
}

func TestAuthFieldForms(t *testing.T) {
	tests := []struct {
		name, value string
		servID      string
		methods     string
		err         bool
	}{
		{"Authentication-Results", "mx.example.org 1; spf=fail smtp.mailfrom=x@y.example", "mx.example.org", "spf=fail", false},
		{"Authentication-Results", "mx.example.org; none", "mx.example.org", "", false},
		{"Authentication-Results", "mx.example.org; arc=pass (i=2 spf=pass) smtp.remote-ip=192.0.2.1; x-custom=ok foo=bar",
			"mx.example.org", "arc=pass x-custom=ok", false},
		{"Authentication-Results", "mx.example.org 2; spf=pass", "", "", true},
		{"ARC-Authentication-Results", "i=3; mx.example.org; dmarc=fail (p=reject) header.from=example.org", "mx.example.org", "dmarc=fail", false},
		{"Authentication-Results", "mx.example.org; garbage", "mx.example.org", "", true},
	}
	for _, tt := range tests {
		ar := parseAuthField(tt.name, 1, tt.value)
		var got []string
		for _, r := range ar.Results {
			got = append(got, string(r.Method)+"="+r.Result)
		}
		if ar.ServID != tt.servID || strings.Join(got, " ") != tt.methods || (ar.Error != "") != tt.err {
			t.Errorf("%q: servid %q results %v error %q", tt.value, ar.ServID, got, ar.Error)
		}
	}
}

// TestReadHeaderSpacedFrom: a first line "From : addr" is the From field
// with the obsolete space before the colon (RFC 5322 §4.5), not an mbox
// From line.
func TestReadHeaderSpacedFrom(t *testing.T) {
	h := readHeader("From : Fred <fred@truc.fr>\nTo: marc@machin.com\n\nBody\n")
	if h.mboxFrom != "" || h.get("From") != "Fred <fred@truc.fr>" || len(h.fields) != 2 {
		t.Errorf("fields %+v mbox from %q", h.fields, h.mboxFrom)
	}
	h = readHeader("From fred@truc.fr Fri Nov 23 09:30:00 2001\nFrom: fred@truc.fr\n\n")
	if h.mboxFrom != "fred@truc.fr" || len(h.fields) != 1 {
		t.Errorf("mbox: fields %+v mbox from %q", h.fields, h.mboxFrom)
	}
}
