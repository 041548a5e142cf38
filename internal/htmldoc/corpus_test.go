package htmldoc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpus reads the real-world pages of testdata/corpus (see its README).
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.html")
	if err != nil || len(files) < 30 {
		t.Fatalf("%d corpus pages (%v), want at least 30", len(files), err)
	}
	pages := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(f)] = data
	}
	return pages
}

// Every page of the corpus converts, sanitizes into allowed markup only,
// and keeps its text readable.
func TestCorpus(t *testing.T) {
	readme, err := os.ReadFile("testdata/corpus/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, page := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(string(readme), name) {
				t.Errorf("%s has no source in the corpus README", name)
			}
			checkSanitized(t, Sanitize(page))
			d := Parse(page, Options{})
			checkBlocks(t, d.Blocks, 0)
			if text := d.Text(); !utf8.ValidString(text) || strings.Contains(text, "<script") || strings.Contains(text, "{") && strings.Contains(text, "font-family") {
				t.Errorf("text %q", text[:min(len(text), 300)])
			}
		})
	}
}

// What the conversion must find in some pages of the corpus.
func TestCorpusContent(t *testing.T) {
	pages := corpus(t)
	doc := func(name string) *Document { return Parse(pages[name], Options{}) }
	text := func(name string) string { return doc(name).Text() }

	if d := doc("04-marketo-newsletter-xamarin.html"); d.TrackingImages() != 1 || d.RemoteImages() < 15 {
		t.Errorf("newsletter: %d tracking, %d remote images", d.TrackingImages(), d.RemoteImages())
	}
	if got := strings.Count(text("12-gmail-reply-nested-quotes.html"), "\n>>> "); got < 5 {
		t.Errorf("Gmail reply: %d lines quoted three levels deep", got)
	}
	if got := text("29-postmark-receipt.html"); strings.Contains(got, "This is a receipt for your recent purchase") ||
		!strings.Contains(got, "Pro plan, March 2024 $25.00") {
		t.Errorf("receipt: %q", got)
	}
	if d := doc("16-arabic-rtl-word-spam.html"); !d.Blocks[0].RTL || d.Blocks[0].Align != AlignCenter {
		t.Errorf("Arabic: first block %+v", d.Blocks[0])
	}
	if got := text("27-owa-broken-pre-and-nested-table.html"); !strings.Contains(got, "rx0 rx1\n40dB 28.88 16.65") ||
		strings.Index(got, "1. RF-A") > strings.Index(got, "I don't understand") {
		t.Errorf("broken pre: %q", got)
	}
	if got := text("06-roundcube-xss.html"); strings.Contains(got, "alert") {
		t.Errorf("XSS page: %q", got)
	}
	for _, name := range []string{"13-thunderbird-reply-to-outlook-chinese.html", "21-apple-mail-reply-nested.html", "25-thunderbird-outlook-emoji-nested.html"} {
		if !strings.Contains(text(name), "\n>> ") {
			t.Errorf("%s: no second quote level in %q", name, text(name))
		}
	}
}

// BenchmarkCorpus converts the whole corpus (the reader's work).
func BenchmarkCorpus(b *testing.B) {
	pages := corpus(b)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			Parse(p, Options{})
		}
	}
}
