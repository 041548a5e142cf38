package app

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/htmldoc"
	"facteur/mailstore"
)

// segments returns the RichText segments drawn under o.
func segments(o fyne.CanvasObject) []widget.RichTextSegment {
	var out []widget.RichTextSegment
	walk(o, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.RichText:
			out = append(out, x.Segments...)
		case *linkText:
			out = append(out, x.Segments...)
		}
	})
	return out
}

// segmentText joins the text of segments.
func segmentText(segs []widget.RichTextSegment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Textual())
	}
	return b.String()
}

// Every page of the corpus lays out in the reader, in both themes, with
// its text.
func TestReaderRendersTheCorpus(t *testing.T) {
	a := test.NewTempApp(t)
	files, _ := filepath.Glob("../internal/htmldoc/testdata/corpus/*.html")
	if len(files) < 30 {
		t.Fatalf("%d corpus pages", len(files))
	}
	w := a.NewWindow("corpus")
	w.Resize(fyne.NewSize(800, 600))
	for _, mode := range []themeMode{themeLight, themeDark} {
		a.Settings().SetTheme(facteurTheme{mode: mode})
		for _, f := range files {
			page, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d := htmldoc.Parse(page, htmldoc.Options{})
			r := &docRender{open: func(*url.URL) {}, colors: true}
			obj := r.render(d)
			w.SetContent(container.NewVScroll(obj))
			w.Canvas().Refresh(obj)
			text := segmentText(segments(obj))
			for _, word := range strings.Fields(d.Text())[:min(3, len(strings.Fields(d.Text())))] {
				if !strings.Contains(text, strings.Trim(word, ">-•")) {
					t.Errorf("%s: %q not drawn in %q", filepath.Base(f), word, text[:min(len(text), 200)])
				}
			}
		}
	}
}

// The demo newsletter is rendered: headings, styles, a table as a grid,
// quotes with one bar per level, its cid: logo loaded from the message,
// links without their tracking parameters, the real target beside a
// link whose text names another host, colours only where they read.
func TestReaderRendersHTML(t *testing.T) {
	h := newHarness(t)
	var opened []string
	h.c.openURL = func(u *url.URL) error { opened = append(opened, u.String()); return nil }
	h.openNewsletter()
	r := h.c.ui.reader
	if !r.rich.Visible() || r.body.Visible() || r.linksBlock.Visible() {
		t.Fatalf("rich %v, body %v, links %v", r.rich.Visible(), r.body.Visible(), r.linksBlock.Visible())
	}
	segs := segments(r.rich)
	text := segmentText(segs)
	for _, want := range []string{"La Lettre du Facteur", "tables de transport", "Parce qu'il attendait", "smtp.machin.com", "(goes to secure-login.example)"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not drawn in %q", want, text)
		}
	}
	if strings.Contains(text, "Les tables de transport, la ligne From") {
		t.Error("the preheader hidden by the style sheet is drawn")
	}
	checkNewsletterStyles(t, segs)
	checkNewsletterLinks(t, segs, h, &opened)
	checkNewsletterLayout(t, r.rich)
	for _, p := range r.msg.Attachments {
		if p.ContentID == "logo@facteur.example" && len(r.attachments.Objects) != 0 {
			t.Error("the logo shown in the text is listed as an attachment too")
		}
	}
}

// openNewsletter opens the demo's HTML newsletter and waits for its images.
func (h *harness) openNewsletter() {
	h.t.Helper()
	i := h.c.rows.find(func(s mailstore.Summary) bool { return strings.HasPrefix(s.Subject, newsletterSubject) })
	if i < 0 {
		h.t.Fatal("no newsletter in the inbox")
	}
	h.c.ui.list.Select(i)
	h.settle()
}

func checkNewsletterStyles(t *testing.T, segs []widget.RichTextSegment) {
	t.Helper()
	found := map[string]widget.RichTextStyle{}
	for _, s := range segs {
		if ts, ok := s.(*widget.TextSegment); ok {
			found[strings.TrimSpace(ts.Text)] = ts.Style
		}
	}
	if s := found["La Lettre du Facteur"]; s.SizeName != theme.SizeNameHeadingText || s.Alignment != fyne.TextAlignCenter {
		t.Errorf("h1 style %+v", s)
	}
	if s := found["tables de transport"]; !s.TextStyle.Bold {
		t.Errorf("bold style %+v", s)
	}
	if s := found["mbox"]; !s.TextStyle.Italic {
		t.Errorf("italic style %+v", s)
	}
	if s := found["Attention :"]; s.ColorName == "" {
		t.Errorf("the readable red has no colour: %+v", s)
	}
	for k, s := range found {
		if strings.HasPrefix(k, "Vous recevez") && s.ColorName != "" {
			t.Errorf("black text keeps its colour %q, unreadable in the dark theme", s.ColorName)
		}
	}
}

func checkNewsletterLinks(t *testing.T, segs []widget.RichTextSegment, h *harness, opened *[]string) {
	t.Helper()
	var article *widget.HyperlinkSegment
	for _, s := range segs {
		if l, ok := s.(*widget.HyperlinkSegment); ok && l.Text == "Lire l'article" {
			article = l
		}
	}
	if article == nil {
		t.Fatal("no link Lire l'article")
	}
	article.OnTapped()
	if len(*opened) != 1 || (*opened)[0] != "https://facteur.example/transport" {
		t.Errorf("opened %q, want the article without its utm_ parameters", *opened)
	}
	if n := h.c.ui.reader.bodyState.render.stripped; n != 4 {
		t.Errorf("%d tracking parameters removed, want 4", n)
	}
}

func checkNewsletterLayout(t *testing.T, rich fyne.CanvasObject) {
	t.Helper()
	bars, images, grids := 0, 0, 0
	walk(rich, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Rectangle:
			if x.MinSize().Width == 3 {
				bars++
			}
		case *canvas.Image:
			if x.Resource != nil {
				images++
			}
		case *fyne.Container:
			if len(x.Objects) == 12 { // the 4 rows of 3 cells
				grids++
			}
		}
	})
	if bars != 2 || images != 1 || grids != 1 {
		t.Errorf("%d quote bars (want 2), %d images (want the logo), %d grids (want 1)", bars, images, grids)
	}
}
