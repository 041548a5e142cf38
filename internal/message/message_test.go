package message

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func parseFile(t testing.TB, name string, opt Options) *Message {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// hasProblems checks that the problems of m are exactly want, in order,
// with errors.Is.
func hasProblems(t *testing.T, m *Message, want ...error) {
	t.Helper()
	if len(m.Problems) != len(want) {
		t.Errorf("problems %q, want %d", m.Problems, len(want))
		return
	}
	for i, w := range want {
		var e *Error
		if !errors.Is(m.Problems[i], w) || !errors.As(m.Problems[i], &e) {
			t.Errorf("problem %d: %v, want %v", i, m.Problems[i], w)
		}
	}
}

func TestParseCourseExample(t *testing.T) {
	m := parseFile(t, "course-example.eml", Options{})
	if m.MessageID != "000501bfbb64$afc796c0$0a00a8c0@maison.mrs" || m.Subject != "test itineraire" {
		t.Errorf("id %q subject %q", m.MessageID, m.Subject)
	}
	if want := []Address{{"Christian CALECA", "christian.caleca@w-n-doo.fr"}}; !reflect.DeepEqual(m.From, want) {
		t.Errorf("From %v", m.From)
	}
	if want := []Address{{"", "eme13@enprovence.com"}}; !reflect.DeepEqual(m.To, want) {
		t.Errorf("To %v", m.To)
	}
	if !m.Date.Equal(date("2000-05-11T18:19:24+02:00")) {
		t.Errorf("Date %v", m.Date)
	}
	if _, off := m.Date.Zone(); off != 2*3600 {
		t.Errorf("Date zone offset %d", off)
	}
	if m.Text != "Test d'itineraire." || m.FromHTML || len(m.Attachments) != 0 {
		t.Errorf("Text %q FromHTML %v attachments %v", m.Text, m.FromHTML, m.Attachments)
	}
	hasProblems(t, m)
	// The header is kept in order, unfolded: the inspector reads the hops.
	keys := make([]string, len(m.Header))
	for i, f := range m.Header {
		keys[i] = f.Key
	}
	wantKeys := "Return-Path Received Received Received Message-ID From To Subject Date MIME-Version Content-Type Content-Transfer-Encoding"
	if strings.Join(keys, " ") != wantKeys {
		t.Errorf("keys %v", keys)
	}
	hops := m.Header.Values("received")
	if len(hops) != 3 || !strings.HasPrefix(hops[0], "from alisier.w-n-doo.fr (smtp-rt-9.w-n-doo.fr [193.252.19.55])\tby mail.monaco.net") ||
		!strings.HasSuffix(hops[0], "for <eme13@enprovence.com>; Thu, 11 May 2000 18:20:10 +0200") ||
		hops[2] != "from CHRIS (62.161.101.240)\tby mahonia.w-n-doo.fr; 11 May 2000 18:19:51 +0200" {
		t.Errorf("Received %q", hops)
	}
	if got := m.Header.Get("content-type"); got != "text/plain;\tcharset=\"iso-8859-1\"" {
		t.Errorf("Content-Type %q", got)
	}
	if !m.Header.Has("MIME-Version") || m.Header.Has("Cc") || m.Header.Text("Subject") != "test itineraire" {
		t.Error("Header.Has / Text")
	}
	// The dates of the hops, as the inspector reads them.
	_, when, _ := strings.Cut(hops[1], ";")
	if d, err := ParseDate(when); err != nil || !d.Equal(date("2000-05-11T18:20:08+02:00")) {
		t.Errorf("hop date %v %v", d, err)
	}
}

func TestParseCourseLegacyAddresses(t *testing.T) {
	m := parseFile(t, "course-smtp.eml", Options{})
	want := []Address{{"Jean Breille", "jean@jussieu.fr"}, {"Jacques Selere", "jacques@urec.fr"}}
	if !reflect.DeepEqual(m.To, want) {
		t.Errorf("To %v, want %v", m.To, want)
	}
	if want := []Address{{"Paul Ochon", "paul@uvsq.fr"}}; !reflect.DeepEqual(m.From, want) {
		t.Errorf("From %v", m.From)
	}
	if m.Text != "ceci est un essai" {
		t.Errorf("Text %q", m.Text)
	}
	hasProblems(t, m)
}

func TestParseAlternative(t *testing.T) {
	m := parseFile(t, "alternative.eml", Options{})
	if m.Subject != "Café du matin" || m.From[0] != (Address{"Frédéric", "fred@truc.fr"}) {
		t.Errorf("Subject %q From %v", m.Subject, m.From)
	}
	if !reflect.DeepEqual(m.InReplyTo, []string{"orig.1@machin.com"}) ||
		!reflect.DeepEqual(m.References, []string{"root.1@machin.com", "orig.1@machin.com"}) {
		t.Errorf("InReplyTo %q References %q", m.InReplyTo, m.References)
	}
	want := "Bonjour Marc,\n\nLe café est prêt à 8\u202fh. Voir https://example.org/menu\n\n-- \nFred"
	if m.Text != want || m.FromHTML {
		t.Errorf("Text %q FromHTML %v", m.Text, m.FromHTML)
	}
	if !reflect.DeepEqual(m.Links, []string{"https://example.org/menu?a=1&b=2"}) {
		t.Errorf("Links %q", m.Links)
	}
	hasProblems(t, m)
	// Indexing: no links, and the HTML alternative is not even read.
	m = parseFile(t, "alternative.eml", Options{MaxText: 64 << 10, NoLinks: true})
	if m.Text != want || m.Links != nil {
		t.Errorf("NoLinks: Text %q Links %q", m.Text, m.Links)
	}
}

func TestParseHTMLOnly(t *testing.T) {
	m := parseFile(t, "html-only.eml", Options{})
	want := "Soldes d'été\n\n- Chemises & pulls\n- Pantalons <50€\n\nA B\n\nAcheter non écrire img\n\n  code\n    indent"
	if m.Text != want || !m.FromHTML {
		t.Errorf("Text %q FromHTML %v", m.Text, m.FromHTML)
	}
	if !reflect.DeepEqual(m.Links, []string{"http://shop.example/?x=1", "mailto:vente@shop.example"}) {
		t.Errorf("Links %q", m.Links)
	}
	if !m.Date.Equal(date("2025-02-03T10:00:00-05:00")) {
		t.Errorf("Date %v", m.Date)
	}
	hasProblems(t, m)
}

// pdfBytes and pngBytes are the attachments of testdata/mixed.eml.
func pdfBytes() []byte {
	b := []byte("%PDF-1.4\n")
	for i := 0; i < 40; i++ {
		for c := 0; c < 256; c++ {
			b = append(b, byte(c))
		}
	}
	return append(b, "\n%%EOF\n"...)
}

func pngBytes() []byte {
	return append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 1000)...)
}

const innerMessage = "From: Paul <paul@uvsq.fr>\r\nSubject: Le message d'origine\r\nDate: Fri, 23 Nov 2001 09:30:05 +0100\r\n\r\nceci est un essai\r\n"

func TestParseMixed(t *testing.T) {
	m := parseFile(t, "mixed.eml", Options{})
	want := []Part{
		{Path: "1.2.2", ContentType: "image/png", Size: 1008, Inline: true, ContentID: "logo@x"},
		{Path: "2", ContentType: "application/pdf", Filename: "résumé final.pdf", Size: int64(len(pdfBytes()))},
		{Path: "3", ContentType: "application/octet-stream", Filename: "données.bin", Size: 13},
		{Path: "4", ContentType: "message/rfc822", Filename: "Le message d'origine.eml", Size: int64(len(innerMessage))},
		{Path: "5", ContentType: "text/plain", Filename: "notes.txt", Size: 16},
	}
	if !reflect.DeepEqual(m.Attachments, want) {
		t.Errorf("Attachments\n got %+v\nwant %+v", m.Attachments, want)
	}
	if m.Text != "Voici les documents demandés." || m.FromHTML {
		t.Errorf("Text %q", m.Text)
	}
	wantTo := []Address{{"Marc", "marc@machin.com"}, {"Doe, John", "john@example.com"}}
	if !reflect.DeepEqual(m.To, wantTo) || len(m.Cc) != 0 {
		t.Errorf("To %v Cc %v", m.To, m.Cc)
	}
	hasProblems(t, m)
}

func TestOpenPart(t *testing.T) {
	data, err := os.ReadFile("testdata/mixed.eml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, filename string
		want           []byte
	}{
		{"1.1", "", []byte("Voici les documents demand\xe9s.")},
		{"1.2.2", "", pngBytes()},
		{"2", "résumé final.pdf", pdfBytes()},
		{"3", "données.bin", []byte("abc=def\r\nghi ")},
		{"4", "message.eml", []byte(innerMessage)},
		{"5", "notes.txt", []byte("plain attachment")},
	}
	for _, tt := range tests {
		part, r, err := OpenPart(bytes.NewReader(data), tt.path)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: %d bytes %q..., want %d bytes (%v)", tt.path, len(got), got[:min(len(got), 40)], len(tt.want), err)
		}
		if part.Path != tt.path || part.Filename != tt.filename || part.Size != -1 {
			t.Errorf("%s: part %+v", tt.path, part)
		}
	}
	for _, path := range []string{"", "1", "1.2", "6", "1.3", "2.1", "x"} {
		if _, _, err := OpenPart(bytes.NewReader(data), path); !errors.Is(err, ErrPartNotFound) {
			t.Errorf("OpenPart(%q): %v, want ErrPartNotFound", path, err)
		}
	}
	// A single-part message: path "".
	course, _ := os.ReadFile("testdata/course-example.eml")
	part, r, err := OpenPart(bytes.NewReader(course), "")
	got, _ := io.ReadAll(r)
	if err != nil || string(got) != "Test d'itineraire.\r\n" || part.ContentType != "text/plain" {
		t.Errorf("single part: %v %q %+v", err, got, part)
	}
}

func TestParseBroken(t *testing.T) {
	m := parseFile(t, "broken.eml", Options{})
	if m.Text != "This line has no colon\nSubject: ignored because header ended" || len(m.To) != 1 {
		t.Errorf("Text %q To %v", m.Text, m.To)
	}
	hasProblems(t, m, ErrMalformedHeader)

	m = parseFile(t, "broken-mime.eml", Options{})
	if m.Subject != "Привет été" || m.From[0] != (Address{"Fréd", "fred@truc.fr"}) {
		t.Errorf("Subject %q From %v", m.Subject, m.From)
	}
	wantTo := []Address{{"Marc", "marc@machin.com"}, {"", "jean@jussieu.fr"}, {"", "root"}}
	if !reflect.DeepEqual(m.To, wantTo) {
		t.Errorf("To %v", m.To)
	}
	if !m.Date.IsZero() || m.Text != "hello martians\n\nHello world" {
		t.Errorf("Date %v Text %q", m.Date, m.Text)
	}
	if want := []Part{{Path: "3", ContentType: "image/gif", Filename: "a.gif", Size: 6}}; !reflect.DeepEqual(m.Attachments, want) {
		t.Errorf("Attachments %+v", m.Attachments)
	}
	hasProblems(t, m, ErrMalformedHeader, ErrUnknownCharset, ErrBadDate, ErrUnknownCharset, ErrBadEncoding, ErrTruncated)
	var e *Error
	if errors.As(m.Problems[3], &e); e.Part != "1" {
		t.Errorf("problem part %q", e.Part)
	}
}

func TestParseCharsets(t *testing.T) {
	m := parseFile(t, "koi8.eml", Options{})
	if m.Subject != "Привет" || m.Text != "Привет, мир" {
		t.Errorf("Subject %q Text %q", m.Subject, m.Text)
	}
	tests := []struct{ name, in, text string }{
		{"windows-1252", "Content-Type: text/plain; charset=windows-1252\n\n\x93quotes\x94 \x80\n", "“quotes” €"},
		{"iso-8859-1 as 1252", "Content-Type: text/plain; charset=\"ISO-8859-1\"\n\ncaf\xe9 \x85\n", "café …"},
		{"iso-8859-15", "Content-Type: text/plain; charset=iso-8859-15\n\n\xa4\n", "€"},
		{"no charset, UTF-8", "\ncafé\n", "café"},
		{"no charset, 8-bit", "\ncaf\xe9\n", "café"},
		{"bad UTF-8", "Content-Type: text/plain; charset=utf-8\n\na\xffb\n", "a\uFFFDb"},
		{"NUL and CR", "\na\x00b\rc\r\nd\n", "ab\nc\nd"},
		{"8-bit header", "Subject: caf\xe9\n\nx", "x"},
	}
	for _, tt := range tests {
		m, err := Parse(strings.NewReader(tt.in), Options{})
		if err != nil || m.Text != tt.text {
			t.Errorf("%s: %q %v, want %q", tt.name, m.Text, err, tt.text)
		}
		if !utf8.ValidString(m.Subject) {
			t.Errorf("%s: subject %q", tt.name, m.Subject)
		}
	}
	m, _ = Parse(strings.NewReader("Subject: caf\xe9\n\nx"), Options{})
	if m.Subject != "café" || m.Header[0].Value != "caf\xe9" {
		t.Errorf("8-bit subject %q, raw %q", m.Subject, m.Header[0].Value)
	}
}

func TestParseFlowed(t *testing.T) {
	m := parseFile(t, "flowed.eml", Options{})
	want := "This is a long line that was wrapped by the sender's mailer.\n> Quoted text that is also wrapped.\n>> Deeper quote.\nFrom a stuffed line.\n-- \nsig"
	if m.Text != want {
		t.Errorf("Text %q", m.Text)
	}
	m = parseFile(t, "flowed-delsp.eml", Options{})
	if m.Text != "Unbreakablelongword and more." {
		t.Errorf("delsp: Text %q", m.Text)
	}
}

func TestParseMaxText(t *testing.T) {
	body := strings.Repeat("é", 1000) // 2000 bytes
	msg := "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n"
	for _, max := range []int{1, 2, 3, 100, 1999, 2000, 5000} {
		m, err := Parse(strings.NewReader(msg), Options{MaxText: max})
		if err != nil || len(m.Text) > max || !utf8.ValidString(m.Text) || len(m.Text) < min(max, 2000)-1 {
			t.Errorf("MaxText %d: %d bytes, valid %v, %v", max, len(m.Text), utf8.ValidString(m.Text), err)
		}
	}
	html := "Content-Type: text/html\n\n<p>" + strings.Repeat("word ", 10000) + "</p>"
	m, _ := Parse(strings.NewReader(html), Options{MaxText: 100})
	if len(m.Text) > 100 || len(m.Text) < 95 || !m.FromHTML {
		t.Errorf("HTML MaxText: %d bytes", len(m.Text))
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

var errDisk = errors.New("disk on fire")

func TestParseNothing(t *testing.T) {
	if _, err := Parse(strings.NewReader(""), Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Parse(&failingReader{err: errDisk}, Options{}); !errors.Is(err, errDisk) || !errors.Is(err, ErrRead) {
		t.Errorf("read error: %v", err)
	}
	m, err := Parse(&failingReader{data: []byte("Subject: x\n\nbody"), err: errDisk}, Options{})
	if err != nil || m.Subject != "x" || m.Text != "body" {
		t.Fatalf("read error after data: %v %+v", err, m)
	}
	hasProblems(t, m, errDisk)
}

func TestParseStructure(t *testing.T) {
	tests := []struct {
		name, in, text string
		atts           []string // path:type:filename:size:inline
		problems       []error
	}{
		{"no header", "\nbody\n", "body", nil, nil},
		{"header only", "Subject: x", "", nil, nil},
		{"mbox From_ line", "From fred Thu May 11 18:19:24 2000\nSubject: x\n\nbody", "body", nil, nil},
		{"obsolete blank before colon", "From : fred@truc.fr\nSubject : x\n\nbody", "body", nil, nil},
		{"multipart without boundary", "Content-Type: multipart/mixed\n\nbody", "body", nil, []error{ErrNoBoundary}},
		{"truncated multipart", "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\nContent-Type: application/zip\n\nPK", "first",
			[]string{"2:application/zip::2:false"}, []error{ErrTruncated}},
		{"inner close missing", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\ninner\n--b\n\nsecond\n--b--\n",
			"inner\n\nsecond", nil, []error{ErrTruncated}},
		{"part without header", "Content-Type: multipart/mixed; boundary=b\n\n--b\nhello\n--b--\n", "hello", nil, []error{ErrMalformedHeader}},
		{"empty parts", "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\n--b--", "", nil, nil},
		{"boundary prefix of another", "Content-Type: multipart/mixed; boundary=ab\n\n--ab\nContent-Type: multipart/mixed; boundary=abc\n\n--abc\n\nx\n--abc--\n--ab--\n", "x", nil, nil},
		{"boundary with blanks, LF and CRLF mixed", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\n\r\nx\r\n--b--  \r\n", "x", nil, nil},
		{"digest", "Content-Type: multipart/digest; boundary=b\n\n--b\n\nSubject: one\n\n1\n--b--\n", "",
			[]string{"1:message/rfc822:one.eml:15:false"}, nil},
		{"unknown encoding", "Content-Transfer-Encoding: x-uuencode\n\nbegin", "begin", nil, []error{ErrUnknownEncoding}},
		{"bad media type", "Content-Type: image\n\nxx", "", []string{":application/octet-stream::2:false"}, []error{ErrBadMediaType}},
		{"text as type", "Content-Type: text\n\nxx", "xx", nil, nil},
		{"top-level attachment", "Content-Type: application/pdf; name=\"C:\\\\dir\\\\a.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERg==\n", "",
			[]string{":application/pdf:a.pdf:4:false"}, nil},
		{"related inline image", "Content-Type: multipart/related; boundary=b\n\n--b\nContent-Type: text/html\n\n<b>hi</b>\n--b\nContent-Type: image/gif\nContent-ID: <x>\n\nGIF\n--b--", "hi",
			[]string{"2:image/gif::3:true"}, nil},
		{"empty plain alternative", "Content-Type: multipart/alternative; boundary=b\n\n--b\n\n \n--b\nContent-Type: text/html\n\n<i>html</i>\n--b--", "html", nil, nil},
		{"html first", "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<i>html</i>\n--b\n\nplain\n--b--", "plain", nil, nil},
		{"mixed texts joined", "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\nContent-Disposition: inline\n\ntwo\n--b--", "one\n\ntwo", nil, nil},
		{"RFC 2231 latin-1 and continuations", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/x; name*0*=iso-8859-1''caf%E9; name*1*=%20cr%E8me; name*2=\".txt\"\n\nz\n--b--",
			"", []string{"1:application/x:café crème.txt:1:false"}, nil},
		{"RFC 2047 in quoted filename", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Disposition: attachment; filename=\"=?UTF-8?B?w6l0w6kucGRm?=\"\n\nz\n--b--",
			"", []string{"1:text/plain:été.pdf:1:false"}, nil},
		{"bare filename with blanks", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Disposition: attachment; filename=my report.pdf;\n\nz\n--b--",
			"", []string{"1:text/plain:my report.pdf:1:false"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != tt.text {
				t.Errorf("Text %q, want %q", m.Text, tt.text)
			}
			var atts []string
			for _, a := range m.Attachments {
				atts = append(atts, strings.Join([]string{a.Path, a.ContentType, a.Filename,
					itoa(a.Size), map[bool]string{true: "true", false: "false"}[a.Inline]}, ":"))
			}
			if !reflect.DeepEqual(atts, tt.atts) {
				t.Errorf("attachments %q, want %q", atts, tt.atts)
			}
			hasProblems(t, m, tt.problems...)
		})
	}
}

func itoa(n int64) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestAddressString(t *testing.T) {
	for _, tt := range []struct {
		a    Address
		want string
	}{
		{Address{"Fred", "fred@truc.fr"}, "Fred <fred@truc.fr>"},
		{Address{"", "fred@truc.fr"}, "fred@truc.fr"},
		{Address{"Fred", ""}, "Fred"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%#v: %q", tt.a, got)
		}
	}
}
