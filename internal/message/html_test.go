package message

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond"},
		{"line<br>break<br/><br />twice", "line\nbreak\n\ntwice"},
		{"<div>a</div><div>b</div>", "a\nb"},
		{"<ul><li>one</li><li>two</li></ul>after", "- one\n- two\n\nafter"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"a&amp;b &lt;c&gt; &quot;d&quot; &eacute;&#233;&#xE9; &euro; &bogus; & x", "a&b <c> \"d\" ééé € &bogus; & x"},
		{"  lots   of\n\t blanks  ", "lots of blanks"},
		{"<pre>  keep\n   this</pre>", "  keep\n   this"},
		{"<script>var x = '<p>no</p>';</script><style>p{}</style>yes<!-- <p>no</p> -->", "yes"},
		{"<head><title>no</title><meta charset=utf-8></head><body>yes</body>", "yes"},
		{"a < b and c > d", "a < b and c > d"},
		{"<p>unclosed <b attr=\"x>y\">tag", "unclosed tag"},
		{"pre&zwnj;&nbsp;&#8203;header text", "pre header text"},
		{"<P CLASS=x>Upper</P>", "Upper"},
		{"<!DOCTYPE html><?xml x?>ok", "ok"},
		{"<scriptx>kept</scriptx>", "kept"},
		{"<script>never closed", ""},
	}
	for _, tt := range tests {
		got := htmlMessage(t, tt.in, Options{}).Text
		if got != tt.want {
			t.Errorf("text of %q\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// htmlMessage parses a message whose body is the HTML page.
func htmlMessage(t *testing.T, page string, opt Options) *Message {
	t.Helper()
	m, err := Parse(strings.NewReader("Subject: x\nContent-Type: text/html; charset=utf-8\n\n"+page), opt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHTMLLinks(t *testing.T) {
	in := `<a href="https://a.example/x?y=1&amp;z=2">a</a> <A HREF=http://b.example/>b</A>
<a href='mailto:c@example.org'>c</a> <a href="javascript:alert(1)">j</a> <a href="#top">t</a>
<a href="cid:x">cid</a> <a name="n">no href</a> <area href=" ftp://f.example/ "> <a href="https://a.example/x?y=1&z=2">dup</a>
<img src="https://tracker.example/p.gif"> <link href="https://css.example/s.css">`
	m := htmlMessage(t, in, Options{})
	want := []string{"https://a.example/x?y=1&z=2", "http://b.example/", "mailto:c@example.org", "ftp://f.example/"}
	if !reflect.DeepEqual(m.Links, want) {
		t.Errorf("links %q", m.Links)
	}
	many := strings.Repeat(`<a href="http://x.example/`, 1) + "a\">x</a>"
	for i := 0; i < 2*maxLinks; i++ {
		many += `<a href="http://x.example/` + itoa(int64(i)) + `">x</a>`
	}
	if m := htmlMessage(t, many, Options{}); len(m.Links) != maxLinks {
		t.Errorf("%d links", len(m.Links))
	}
}

func TestMetaCharset(t *testing.T) {
	for in, want := range map[string]string{
		`<meta charset="ISO-8859-15">`: "iso-8859-15",
		`<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">`: "windows-1252",
		`<p>no charset</p>`: "",
	} {
		if got := metaCharset([]byte(in)); got != want {
			t.Errorf("metaCharset(%q) = %q", in, got)
		}
	}
}

// BenchmarkHTMLToText measures the reading of a 34 KB newsletter as the
// indexer reads it (text only, bounded), through the message parser.
func BenchmarkHTMLToText(b *testing.B) {
	var page strings.Builder
	page.WriteString("Content-Type: text/html; charset=utf-8\n\n")
	page.WriteString(`<html><head><style>p{color:red}</style><title>x</title></head><body><table width="100%" cellpadding="0">`)
	for i := 0; i < 150; i++ {
		page.WriteString(`<tr><td class="c" style="padding:4px"><p>Bonjour &eacute;t&eacute; <b>news</b> item with some text here and more</p><a href="https://example.com/track?id=123&amp;u=4">Read more</a><img src="https://x/y.png" width="1"></td></tr>`)
	}
	page.WriteString(`</table></body></html>`)
	data := []byte(page.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), Options{MaxText: 64 << 10, NoLinks: true}); err != nil {
			b.Fatal(err)
		}
	}
}
