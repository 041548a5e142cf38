package htmldoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// seeds are the corpus pages and a few hostile fragments.
func seeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.html")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>`,
		`<svg><foreignObject><p>x</p></foreignObject></svg><math><mtext><table><mglyph><style><img src=x>`,
		`<table><tr><td><blockquote><ul><li><pre>x</pre></li></ul></blockquote></td></tr></table>`,
		`<p style="color:#fff;display:none">a</p><div style="border-left:solid 1px">q</div>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`,
		`<ol start=-5><li>a<li>b</ol><br><br><hr><h1>t</h1>`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzSanitize checks that what Sanitize writes, parsed again, holds only
// what the allow-lists allow.
func FuzzSanitize(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, page []byte) {
		checkSanitized(t, Sanitize(page))
	})
}

// FuzzParse checks the converter: no panic, valid UTF-8, only allowed
// link and image URLs, quotes and lists nested at most maxQuoteDepth+1
// deep, and MaxText cutting nothing when it did not truncate.
func FuzzParse(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, page []byte) {
		d := Parse(page, Options{})
		text := d.Text()
		if !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8 in %q", text)
		}
		checkBlocks(t, d.Blocks, 0)
		for _, l := range d.Links {
			if _, ok := safeURL("href", l); !ok {
				t.Fatalf("link %q", l)
			}
		}
		for _, im := range d.Images {
			if _, ok := safeURL("src", im.Src); !ok {
				t.Fatalf("image %q", im.Src)
			}
		}
		if short := Parse(page, Options{MaxText: 64}); !short.Truncated && short.Text() != text {
			t.Fatalf("MaxText changed an untruncated text: %q vs %q", short.Text(), text)
		}
	})
}

func checkBlocks(t *testing.T, blocks []Block, depth int) {
	t.Helper()
	if depth > maxQuoteDepth+1 {
		t.Fatalf("blocks nested %d deep", depth)
	}
	for _, b := range blocks {
		for _, in := range b.Inlines {
			if !utf8.ValidString(in.Text) {
				t.Fatalf("invalid UTF-8 run %q", in.Text)
			}
		}
		checkBlocks(t, b.Children, depth+1)
		for _, item := range b.Items {
			checkBlocks(t, item, depth+1)
		}
		for _, r := range b.Rows {
			for _, c := range r.Cells {
				checkBlocks(t, c.Blocks, depth+1)
			}
		}
	}
}

// FromPlain keeps every word of the text (quote marks aside) and links
// only to http, https and mailto URLs.
func FuzzFromPlain(f *testing.F) {
	for _, s := range []string{"a\n> b\n>> c https://x.example/(y).\n\nwww.z.example mailto:a@b.c", ">>>\n> >\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := FromPlain(s)
		var got []string
		var walk func([]Block)
		walk = func(bs []Block) {
			for _, b := range bs {
				walk(b.Children)
				for _, in := range b.Inlines {
					got = append(got, in.Text)
					if in.Link != "" && !hasScheme(in.Link, "http") && !hasScheme(in.Link, "https") && !hasScheme(in.Link, "mailto") {
						t.Fatalf("link to %q", in.Link)
					}
				}
			}
		}
		walk(d.Blocks)
		// Blocks are in order, a quote before what follows it.
		strip := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, ">", " ")), "") }
		if strip(strings.Join(got, " ")) != strip(s) {
			t.Fatalf("words changed:\n in %q\nout %q", s, got)
		}
	})
}
