package htmldoc

import (
	"strings"
	"testing"
)

// inlineText joins the text of the inlines of blocks, quotes as "[...]".
func inlineText(blocks []Block) string {
	var b strings.Builder
	for i, blk := range blocks {
		if i > 0 {
			b.WriteString("|")
		}
		if blk.Kind == Quote {
			b.WriteString("[" + inlineText(blk.Children) + "]")
			continue
		}
		for _, in := range blk.Inlines {
			if in.Link != "" {
				b.WriteString("{" + in.Text + "=" + in.Link + "}")
				continue
			}
			b.WriteString(in.Text)
		}
	}
	return b.String()
}

func TestFromPlain(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "one\ntwo\n\nthree", "one\ntwo|three"},
		{"quotes nested", "Hi\n> q1\n>> q2\n> > q2 too\n> back\nme", "Hi|[q1|[q2\nq2 too]|back]|me"},
		{"quote without space", ">x\n>\n>y", "[x|y]"},
		{"web address", "see https://x.example/a?b=1.", "see {https://x.example/a?b=1=https://x.example/a?b=1}."},
		{"www", "go to www.x.example, now", "go to {www.x.example=https://www.x.example}, now"},
		{"brackets", "(https://x.example/wiki/A_(b)) and <http://y.example>", "({https://x.example/wiki/A_(b)=https://x.example/wiki/A_(b)}) and <{http://y.example=http://y.example}>"},
		{"mailto", "write mailto:a@x.example or mailto:nobody", "write {mailto:a@x.example=mailto:a@x.example} or mailto:nobody"},
		{"no host", "http:// and https://?x and swww.x.example", "http:// and https://?x and swww.x.example"},
		{"address in a word", "awww.x.example www.x", "awww.x.example www.x"},
		{"CRLF", "a\r\n> b\r\n", "a|[b]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inlineText(FromPlain(tt.in).Blocks); got != tt.want {
				t.Errorf("FromPlain(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromPlainLinksOnce(t *testing.T) {
	d := FromPlain("https://a.example https://a.example www.b.example")
	if len(d.Links) != 2 || d.Links[1] != "https://www.b.example" {
		t.Errorf("links %q", d.Links)
	}
}
