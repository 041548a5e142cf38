package message

import (
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
		got := string(htmlToText([]byte(tt.in), true, 0, nil))
		if got != tt.want {
			t.Errorf("htmlToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestHTMLLinks(t *testing.T) {
	in := `<a href="https://a.example/x?y=1&amp;z=2">a</a> <A HREF=http://b.example/>b</A>
<a href='mailto:c@example.org'>c</a> <a href="javascript:alert(1)">j</a> <a href="#top">t</a>
<a href="cid:x">cid</a> <a name="n">no href</a> <area href=" ftp://f.example/ "> <a href="https://a.example/x?y=1&z=2">dup</a>
<img src="https://tracker.example/p.gif"> <link href="https://css.example/s.css">`
	p := &parser{msg: &Message{}}
	text := htmlToText([]byte(in), false, 0, p.addLink)
	want := []string{"https://a.example/x?y=1&z=2", "http://b.example/", "mailto:c@example.org", "ftp://f.example/"}
	if !reflect.DeepEqual(p.msg.Links, want) || len(text) != 0 {
		t.Errorf("links %q, text %q", p.msg.Links, text)
	}
	many := strings.Repeat(`<a href="http://x.example/`, 1) + "a\">x</a>"
	for i := 0; i < 2*maxLinks; i++ {
		many += `<a href="http://x.example/` + itoa(int64(i)) + `">x</a>`
	}
	p = &parser{msg: &Message{}}
	htmlToText([]byte(many), true, 0, p.addLink)
	if len(p.msg.Links) != maxLinks {
		t.Errorf("%d links", len(p.msg.Links))
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

// newsletter is a 34 KB HTML page of the kind newsletters send: a table
// of paragraphs, links, images, entities, a style sheet.
func newsletter() []byte {
	var b strings.Builder
	b.WriteString(`<html><head><style>p{color:red}</style><title>x</title></head><body><table width="100%" cellpadding="0">`)
	for i := 0; i < 150; i++ {
		b.WriteString(`<tr><td class="c" style="padding:4px"><p>Bonjour &eacute;t&eacute; <b>news</b> item with some text here and more</p><a href="https://example.com/track?id=123&amp;u=4">Read more</a><img src="https://x/y.png" width="1"></td></tr>`)
	}
	b.WriteString(`</table></body></html>`)
	return []byte(b.String())
}

// BenchmarkHTMLToText measures the HTML reduction (github.com/k3a/html2text
// v1.3.0 reads the same page at about 38 MB/s on the same machine).
func BenchmarkHTMLToText(b *testing.B) {
	page := newsletter()
	p := &parser{msg: &Message{}}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		p.msg.Links, p.links = nil, nil
		htmlToText(page, true, 0, p.addLink)
	}
}
