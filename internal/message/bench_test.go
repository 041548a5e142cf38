package message

import (
	"bytes"
	"os"
	"testing"
)

func benchParse(b *testing.B, file string, opt Options) {
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTypical parses a 7 KB multipart/alternative message with a
// realistic header (Received, DKIM), as the indexer does.
func BenchmarkParseTypical(b *testing.B) {
	benchParse(b, "testdata/typical.eml", Options{MaxText: 64 << 10, NoLinks: true})
}

// BenchmarkParseTypicalReader is the same message for the reader view
// (links collected, no limit).
func BenchmarkParseTypicalReader(b *testing.B) {
	benchParse(b, "testdata/typical.eml", Options{})
}

func BenchmarkParseHTMLOnly(b *testing.B) {
	benchParse(b, "testdata/html-only.eml", Options{MaxText: 64 << 10, NoLinks: true})
}

func BenchmarkParseAttachments(b *testing.B) {
	benchParse(b, "testdata/mixed.eml", Options{MaxText: 64 << 10, NoLinks: true})
}
