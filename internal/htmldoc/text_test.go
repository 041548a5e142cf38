package htmldoc

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond"},
		{"line breaks", "line<br>break<br/><br />twice", "line\nbreak\n\ntwice"},
		{"divisions", "<div>a</div><div>b</div>", "a\nb"},
		{"Gmail's empty line", "<div>a</div><div><br></div><div>b</div>", "a\n\nb"},
		{"break at the end of a division", "<div>a<br></div><div>b</div>", "a\nb"},
		{"list", "<ul><li>one</li><li>two</li></ul>after", "- one\n- two\n\nafter"},
		{"nested list", "<ol start=3><li>a<ul><li>x</li><li>y</li></ul></li><li>b</li></ol>", "3. a\n   - x\n   - y\n4. b"},
		{"list written outside li", "<ul><li>a</li><ul><li>b</li></ul></ul>", "- a\n  - b"},
		{"item without list", "<li>alone</li>", "- alone"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"entities", "a&amp;b &lt;c&gt; &quot;d&quot; &eacute;&#233;&#xE9; &euro; &bogus; & x", "a&b <c> \"d\" ééé € &bogus; & x"},
		{"blanks", "  lots   of\n\t blanks  ", "lots of blanks"},
		{"pre", "<pre>  keep\n   this</pre>", "  keep\n   this"},
		{"scripts and comments", "<script>var x = '<p>no</p>';</script><style>p{}</style>yes<!-- <p>no</p> -->", "yes"},
		{"head", "<head><title>no</title><meta charset=utf-8></head><body>yes</body>", "yes"},
		{"lone angle brackets", "a < b and c > d", "a < b and c > d"},
		{"unclosed", "<p>unclosed <b attr=\"x>y\">tag", "unclosed tag"},
		{"invisible padding", "pre&zwnj;&nbsp;&#8203;header text", "pre header text"},
		{"upper case", "<P CLASS=x>Upper</P>", "Upper"},
		{"doctype and processing instruction", "<!DOCTYPE html><?xml x?>ok", "ok"},
		{"unknown element", "<scriptx>kept</scriptx>", "kept"},
		{"script never closed", "<script>never closed", ""},
		{"quotes", "<p>Reply</p><blockquote>q1<blockquote>q2</blockquote>back</blockquote>", "Reply\n\n> q1\n>\n>> q2\n>\n> back"},
		{"Outlook's bordered quote", `new<div style="border:none;border-left:solid blue 1.5pt;padding:0 0 0 4pt"><p>old</p></div>`, "new\n\n> old"},
		{"hidden", `<div style="display:none">preheader</div><span hidden>no</span>shown`, "shown"},
		{"hidden by a class of the style sheet", `<style>/* x */ .preheader, span.pre { display:none !important } @media (max-width:600px) { .shown { display:none } } .other p { display:none }</style><span class="preheader">hidden</span><span class="Pre x">hidden too</span><span class="shown">shown</span>`, "shown"},
		{"heading", "<h1>Title</h1>text", "Title\n\ntext"},
		{"rule", "a<hr>b", "a\n\nb"},
		{"images left out", `x <img src="cid:a" alt="logo"> y`, "x y"},
		{"layout table", `<table role="presentation"><tr><td><p>one</p></td></tr><tr><td><p>two</p></td></tr></table>`, "one\n\ntwo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse([]byte(tt.in), Options{}).Text()
			if got != tt.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaxText(t *testing.T) {
	page := strings.Repeat("<p>word word word</p>", 1000)
	d := Parse([]byte(page), Options{MaxText: 100})
	if !d.Truncated || len(d.Text()) > 200 {
		t.Fatalf("truncated %v, %d bytes of text", d.Truncated, len(d.Text()))
	}
	if d := Parse([]byte(page), Options{}); d.Truncated || len(d.Text()) < 14000 {
		t.Fatalf("without a limit: truncated %v, %d bytes", d.Truncated, len(d.Text()))
	}
}

func TestBlocks(t *testing.T) {
	d := Parse([]byte(`<h2 align=center>T</h2><p dir="rtl">שלום <i>x</i></p><p>مرحبا</p><p dir=ltr>مرحبا</p>
		<p><a href="https://e.example/a">link <b>bold</b></a> <font color="#c00000">red</font> <span style="color: rgb(0,0,0)">black</span></p>
		<table><tr><th>Item</th><th>Price</th></tr><tr><td>Tea</td><td>3 €</td></tr></table>`), Options{})
	if len(d.Blocks) != 6 {
		t.Fatalf("%d blocks: %+v", len(d.Blocks), d.Blocks)
	}
	h := d.Blocks[0]
	if h.Kind != Heading || h.Level != 2 || h.Align != AlignCenter {
		t.Errorf("heading %+v", h)
	}
	if !d.Blocks[1].RTL || !d.Blocks[2].RTL || d.Blocks[3].RTL {
		t.Errorf("directions %v %v %v", d.Blocks[1].RTL, d.Blocks[2].RTL, d.Blocks[3].RTL)
	}
	runs := d.Blocks[4].Inlines
	want := []Inline{
		{Text: "link ", Link: "https://e.example/a"},
		{Text: "bold ", Style: Bold, Link: "https://e.example/a"},
		{Text: "red ", Color: Color{0xc0, 0, 0, true}},
		{Text: "black", Color: Color{0, 0, 0, true}},
	}
	if len(runs) != len(want) {
		t.Fatalf("runs %+v", runs)
	}
	for i := range want {
		if runs[i] != want[i] {
			t.Errorf("run %d: %+v, want %+v", i, runs[i], want[i])
		}
	}
	tab := d.Blocks[5]
	if tab.Kind != Table || len(tab.Rows) != 2 || !tab.Rows[0].Cells[0].Header || tab.Rows[1].Cells[1].Blocks[0].Inlines[0].Text != "3 €" {
		t.Errorf("table %+v", tab)
	}
}

func TestImages(t *testing.T) {
	d := Parse([]byte(`<img src="cid:logo@x" alt="Logo" width="120">
		<img src="https://t.example/open.gif" width="1" height="1">
		<img src="https://t.example/p.png" style="width:1px;height:1px">
		<img src="https://cdn.example/hero.jpg" alt="Hero">
		<img src="javascript:alert(1)"> <img src="/relative.png">`), Options{})
	if len(d.Images) != 4 || d.TrackingImages() != 2 || d.RemoteImages() != 3 {
		t.Fatalf("images %+v", d.Images)
	}
	if d.Images[0].Src != "cid:logo@x" || d.Images[0].Width != 120 || d.Images[0].Alt != "Logo" {
		t.Errorf("first image %+v", d.Images[0])
	}
	shown := 0
	for _, in := range d.Blocks[0].Inlines {
		if in.Image != nil {
			shown++
			if in.Image.Tracking {
				t.Errorf("a tracking image is shown: %+v", in.Image)
			}
		}
	}
	if shown != 2 {
		t.Errorf("%d images shown, want 2", shown)
	}
}

// A block whose direction differs from its parent's is a paragraph of its
// own, with its direction: a right-to-left signature inside a
// left-to-right message (Gmail's dir=rtl division) is aligned as it reads.
func TestNestedDirection(t *testing.T) {
	d := Parse([]byte(`<div dir="ltr">Hello everybody,<br>-- <br><div dir="rtl"><div dir="ltr"><div dir="rtl">مجله <a href="http://m.example/">کامیون</a> سلطان جاده<br>Persian Trucking Mag</div></div></div></div>`), Options{})
	if len(d.Blocks) != 2 {
		t.Fatalf("%d blocks, want the text and the signature: %+v", len(d.Blocks), d.Blocks)
	}
	if d.Blocks[0].RTL || !d.Blocks[1].RTL || !strings.HasPrefix(d.Blocks[1].Inlines[0].Text, "مجله") {
		t.Errorf("directions %v %v, signature %+v", d.Blocks[0].RTL, d.Blocks[1].RTL, d.Blocks[1].Inlines)
	}
}
