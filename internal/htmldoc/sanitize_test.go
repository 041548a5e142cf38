package htmldoc

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"script", `<p>a<script>alert(1)</script>b</p>`, `<p>ab</p>`},
		{"event handler", `<img src="cid:x" onerror="alert(1)" onload=x>`, `<img src="cid:x"/>`},
		{"javascript link", `<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a>`, `<a>x</a><a>y</a>`},
		{"allowed links", `<a href="https://a.example/" target=_blank>x</a><a href="mailto:u@h.example">m</a>`,
			`<a href="https://a.example/">x</a><a href="mailto:u@h.example">m</a>`},
		{"relative and data links", `<a href="/x">r</a><a href="data:text/html,<b>">d</a>`, `<a>r</a><a>d</a>`},
		{"data image", `<img src="data:image/png;base64,iVBOR"><img src="data:image/svg+xml;base64,PHN2Zz4=">`,
			`<img src="data:image/png;base64,iVBOR"/><img/>`},
		{"iframe and object", `<iframe src="https://evil.example"></iframe><object data="x"><p>alt</p></object>ok`, `ok`},
		{"form", `<form action="https://x.example"><input name=a value=b><button>Go</button></form>`, `Go`},
		{"style element and link", `<link rel=stylesheet href="https://x.example/s.css"><style>@import url(x)</style>t`, `t`},
		{"style attribute", `<p style="color: red; background: url(https://t.example/x.gif); position: fixed; font-weight: bold">t</p>`,
			`<p style="color: red; font-weight: bold">t</p>`},
		{"expression", `<p style="color: expression(alert(1))">t</p>`, `<p>t</p>`},
		{"class and id", `<div class="x" id="y" data-z="1">t</div>`, `<div>t</div>`},
		{"unknown elements unwrapped", `<o:p>a</o:p><custom-tag>b</custom-tag>`, `ab`},
		{"svg", `<svg><script>alert(1)</script><text>t</text></svg>after`, `after`},
		{"math", `<math><mi>x</mi></math>after`, `after`},
		{"comment", `a<!-- <script>x</script> -->b<![CDATA[c]]>`, `ab`},
		{"hidden attribute", `<div hidden>secret</div>shown`, `shown`},
		{"base", `<base href="https://evil.example/">t`, `t`},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil.example">t`, `t`},
		{"background attribute", `<table background="https://t.example/bg.png"><tr><td bgcolor=red>t</td></tr></table>`,
			`<table><tbody><tr><td>t</td></tr></tbody></table>`},
		{"srcset", `<img src="cid:a" srcset="https://t.example/x.png 2x">`, `<img src="cid:a"/>`},
		{"dir", `<p dir="rtl">a</p><p dir="evil">b</p>`, `<p dir="rtl">a</p><p>b</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bodyOf(Sanitize([]byte(tt.in)))
			if got != tt.want {
				t.Errorf("Sanitize(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			checkSanitized(t, []byte(got))
		})
	}
}

// bodyOf returns what the body element of a rendered document holds.
func bodyOf(b []byte) string {
	s := string(b)
	if i := strings.Index(s, "<body>"); i >= 0 {
		s = s[i+len("<body>"):]
	}
	return strings.TrimSuffix(s, "</body></html>")
}

// checkSanitized parses HTML and fails on anything the allow-lists do not
// allow: elements, attributes, URL schemes, style properties.
func checkSanitized(t *testing.T, page []byte) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range root.Descendants() {
		if n.Type == html.CommentNode {
			t.Fatalf("a comment stayed: %q in %q", n.Data, page)
		}
		if n.Type != html.ElementNode {
			continue
		}
		if _, ok := kept[n.Data]; !ok || n.Namespace != "" {
			t.Fatalf("element %q stayed in %q", n.Data, page)
		}
		for _, a := range n.Attr {
			checkAttr(t, n.Data, a, page)
		}
	}
}

func checkAttr(t *testing.T, tag string, a html.Attribute, page []byte) {
	t.Helper()
	if !allowedAttr(tag, a.Key) {
		t.Fatalf("attribute %s of %s stayed in %q", a.Key, tag, page)
	}
	if _, isURL := urlAttrs[a.Key]; isURL {
		if _, ok := safeURL(a.Key, a.Val); !ok {
			t.Fatalf("URL %s=%q stayed in %q", a.Key, a.Val, page)
		}
	}
	if a.Key == "style" {
		for _, d := range parseStyle(a.Val) {
			if !styleProps[d.prop] || !safeValue(d.value) {
				t.Fatalf("style %s: %s stayed in %q", d.prop, d.value, page)
			}
		}
	}
}

// A page nested deeper than the HTML5 parser takes (512 elements) is read
// flat: its text stays. Quotes nest at most maxQuoteDepth levels.
func TestDeepNesting(t *testing.T) {
	const depth = 100000
	page := "<p>first</p><script>x()</script>" + strings.Repeat("<div>", depth) + "deep text" + strings.Repeat("</div>", depth)
	if text := Parse([]byte(page), Options{}).Text(); text != "first\ndeep text" {
		t.Fatalf("text %q", text[:min(len(text), 200)])
	}
	page = strings.Repeat("<blockquote>", 400) + "quoted" + strings.Repeat("</blockquote>", 400)
	text := Parse([]byte(page), Options{})
	if got := strings.Count(text.Text(), ">"); got != maxQuoteDepth {
		t.Errorf("%d quote levels, want %d: %q", got, maxQuoteDepth, text.Text())
	}
}
