package inspect

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
)

// sentenceCase is a message the tests analyse for its findings and verdicts.
type sentenceCase struct {
	name string
	raw  string // the message, or "" to read file
	file string // under testdata
	opt  Options
	dns  bool // resolve it against the test zone
}

// received is a Received field that names the by host and the recipient.
func received(by, rcpt string) string {
	return "Received: from relay.example.net (relay.example.net [192.0.2.77])\r\n" +
		"\tby " + by + " (Postfix) with ESMTPS id 1A\r\n\tfor <" + rcpt + ">; Tue, 5 Nov 2024 10:12:01 +0100\r\n"
}

// sentenceCases are the existing fixtures and a few messages for the
// sentences that no fixture gives.
func sentenceCases(t *testing.T) []sentenceCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "messages", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []sentenceCase{{name: "course", file: "course-example.eml"},
		{name: "course, known envelope", file: "course-example.eml", opt: Options{Envelope: &KnownEnvelope{
			MailFrom: "christian.caleca@wanadoo.fr", RcptTo: []string{"eme13@enprovence.com", "hidden@enprovence.com"}}}},
		{name: "course, known null sender", file: "course-example.eml", opt: Options{Envelope: &KnownEnvelope{
			RcptTo: []string{"eme13@enprovence.com"}}}},
		{name: "no Received", raw: "Subject: x\r\n\r\n"},
		{name: "Bcc field", raw: "Return-Path: <a@example.org>\r\n" + received("mx.example.com", "c@example.com") +
			"From: a@example.org\r\nTo: b@example.com\r\nBcc: c@example.com\r\n\r\n"},
		{name: "list, no id, no sender", raw: "Received: from a (a [192.0.2.1]) by b; Tue, 5 Nov 2024 10:12:01 +0100\r\n" +
			"From: a@example.org\r\nTo: l@example.org\r\nPrecedence: list\r\n\r\n"},
		{name: "list id, no sender", raw: "Received: from a (a [192.0.2.1]) by b; Tue, 5 Nov 2024 10:12:01 +0100\r\n" +
			"From: a@example.org\r\nTo: l@example.org\r\nList-Id: <l.example.org>\r\n\r\n"},
		{name: "list sender, no id", raw: "Return-Path: <l-bounces@example.org>\r\n" +
			"Received: from a (a [192.0.2.1]) by b; Tue, 5 Nov 2024 10:12:01 +0100\r\n" +
			"From: a@example.org\r\nTo: l@example.org\r\nList-Post: <mailto:l@example.org>\r\n\r\n"},
		{name: "X-Forwarded-To", raw: "Return-Path: <a@example.org>\r\n" + received("mx.example.com", "b@example.com") +
			"X-Forwarded-To: b@elsewhere.example\r\nFrom: a@example.org\r\nTo: b@example.com\r\n\r\n"},
	}
	for _, f := range files {
		rel, _ := filepath.Rel("testdata", f)
		cases = append(cases, sentenceCase{name: rel, file: rel})
	}
	for _, f := range []string{"messages/primary-mx.eml", "messages/secondary-mx.eml"} {
		cases = append(cases, sentenceCase{name: f + ", DNS", file: f, dns: true})
	}
	for _, by := range []string{"mx.nomail.example", "implicit.example", "mx.broken.example", "mx.nowhere.example", "internal.machin.com"} {
		to := "a@" + strings.TrimPrefix(strings.TrimPrefix(by, "mx."), "internal.")
		cases = append(cases, sentenceCase{name: "MX of " + to, dns: true, raw: received(by, to) +
			"From: x@example.net\r\nTo: " + to + "\r\nSubject: t\r\n\r\n"})
	}
	return cases
}

// sentencesOf analyses every case and returns its findings and verdicts,
// with a DKIM failure, which needs a signed message, added by hand.
func sentencesOf(t *testing.T) ([]Finding, []EntryVerdict) {
	t.Helper()
	server := startDNS(t, newTestZone(t))
	var fs []Finding
	var vs []EntryVerdict
	for _, c := range sentenceCases(t) {
		raw := []byte(c.raw)
		if c.file != "" {
			raw = readTestdata(t, c.file)
		}
		var r *Report
		if c.dns {
			c.opt.LookupTimeout = time.Second
			r, _ = resolveFile(t, raw, server, c.opt)
		} else {
			var err error
			if r, err = Analyze(bytes.NewReader(raw), c.opt); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		fs = append(fs, r.Findings...)
		vs = append(vs, r.DNS.Entry...)
	}
	fs = append(fs, dnsFindings(&DNSReport{DKIM: []DKIMCheck{{Domain: "truc.fr", Result: "fail", Error: "signature did not verify"}}})...)
	return fs, vs
}

// sentence is the code, arguments and text of a finding or a verdict.
type sentence struct {
	code, text string
	args       map[string]string
}

// sentences lists the findings' sentences, then the verdicts'.
func sentences(fs []Finding, vs []EntryVerdict) []sentence {
	var out []sentence
	for _, f := range fs {
		out = append(out, sentence{f.Code, f.Text, f.Args})
	}
	for _, v := range vs {
		out = append(out, sentence{v.Code, v.Text, v.Args})
	}
	return out
}

var placeholder = regexp.MustCompile(`{{\.(\w+)}}`)

// placeholders are the argument names a template uses, sorted.
func placeholders(tmpl string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// TestSentenceCodes: every finding and verdict of the fixtures has a code
// whose English template, filled with exactly the arguments it names,
// gives its text; and every code is given by some fixture.
func TestSentenceCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range sentences(sentencesOf(t)) {
		tmpl := Template(s.code)
		if s.code == "" || tmpl == "" {
			t.Errorf("no code, or an unknown code %q, for %q", s.code, s.text)
			continue
		}
		seen[s.code] = true
		if keys := slices.Sorted(maps.Keys(s.args)); !slices.Equal(keys, placeholders(tmpl)) {
			t.Errorf("%s: arguments %v, the template names %v", s.code, keys, placeholders(tmpl))
		}
		if got := Render(s.code, s.args); got != s.text || strings.Contains(got, "{{") {
			t.Errorf("%s renders %q, the text is %q", s.code, got, s.text)
		}
	}
	for _, code := range Codes() {
		if !seen[code] {
			t.Errorf("no fixture gives %s", code)
		}
	}
}

// TestSentenceTexts compares the English sentences of the fixtures with
// testdata/sentences.golden (go test -update rewrites it): the CLI's text
// does not change unnoticed.
func TestSentenceTexts(t *testing.T) {
	var b strings.Builder
	for _, s := range sentences(sentencesOf(t)) {
		b.WriteString(s.code + ": " + s.text + "\n")
	}
	golden := filepath.Join("testdata", "sentences.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("the sentences differ from %s (go test -update to accept):\n%s", golden, b.String())
	}
}

func TestRenderFallbacks(t *testing.T) {
	if got := Render("no-such-code", nil); got != "" {
		t.Errorf("unknown code renders %q", got)
	}
	if got := Render(CodeBcc, map[string]string{"Addr": "x"}); got != Template(CodeBcc) {
		t.Errorf("a missing argument renders %q, want the template", got)
	}
	if !slices.IsSorted(Codes()) || len(Codes()) != len(templates) {
		t.Errorf("codes %v", Codes())
	}
}

// TestSentenceJSON: the code and arguments are in the JSON report, and a
// sentence without arguments has no args key.
func TestSentenceJSON(t *testing.T) {
	fs, vs := sentencesOf(t)
	b, err := json.Marshal(struct {
		F []Finding
		V []EntryVerdict
	}{fs, vs})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		F []map[string]any
		V []map[string]any
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	all := sentences(fs, vs)
	for i, m := range append(back.F, back.V...) {
		want := all[i]
		args, hasArgs := m["args"].(map[string]any)
		if m["code"] != want.code || m["text"] != want.text || hasArgs != (len(want.args) > 0) || len(args) != len(want.args) {
			t.Errorf("JSON %v, want code %s args %v", m, want.code, want.args)
		}
	}
}

// TestRenderAsTextTemplate: the hand renderer gives what text/template
// gives for every code, with all its arguments, with one missing (the
// template as written) and with none.
func TestRenderAsTextTemplate(t *testing.T) {
	placeholder := regexp.MustCompile(`\{\{\.(\w+)\}\}`)
	for _, code := range Codes() {
		tmpl := template.Must(template.New(code).Option("missingkey=error").Parse(Template(code)))
		want := func(args map[string]string) string {
			var b strings.Builder
			if err := tmpl.Execute(&b, args); err != nil {
				return Template(code)
			}
			return b.String()
		}
		full := map[string]string{}
		for i, m := range placeholder.FindAllStringSubmatch(Template(code), -1) {
			full[m[1]] = strings.Repeat("x{{.A}}é", i+1)
		}
		cases := []map[string]string{full, nil, {}, {"Unused": "u"}}
		for k := range full {
			partial := maps.Clone(full)
			delete(partial, k)
			cases = append(cases, partial)
		}
		for _, args := range cases {
			if got, w := Render(code, args), want(args); got != w {
				t.Errorf("Render(%s, %v) = %q, text/template gives %q", code, args, got, w)
			}
		}
	}
	if got := Render("no-such-code", nil); got != "" {
		t.Errorf("unknown code: %q", got)
	}
}

// TestCompileSentenceRefusesActions: a template with anything but
// {{.Name}} placeholders is refused when the package loads.
func TestCompileSentenceRefusesActions(t *testing.T) {
	for _, tmpl := range []string{"a {{if .X}}b{{end}}", "{{.X", "{{X}}", "{{.}}", "{{.X.Y}}", "{{ .X }}"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%q: accepted", tmpl)
				}
			}()
			compileSentence("test", tmpl)
		}()
	}
	if got := compileSentence("test", "a {{.X}}{{.Y2}} b"); len(got) != 4 {
		t.Errorf("cut into %v", got)
	}
}
