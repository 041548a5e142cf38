package thread

import (
	"fmt"
	"testing"
	"time"
)

var fuzzSubjects = []string{"", "a", "Re: a", "AW: A", "Fwd: a", "[l] Re: a", "b", "Re: b", "Re:", "Réf : b"}

// decodeItems turns fuzz bytes into items, 4 bytes each: Message-ID (from a
// small set so that they collide, 0 = none), a reference list of up to 3
// ids, In-Reply-To, subject and date.
func decodeItems(data []byte) []Item {
	var items []Item
	id := func(b byte) string {
		if b%16 == 0 {
			return ""
		}
		return fmt.Sprintf("<%d@x>", b%16)
	}
	for i := 0; i+4 <= len(data) && len(items) < 200; i += 4 {
		b := data[i : i+4]
		item := Item{
			ID:        int64(len(items) + 1),
			MessageID: id(b[0]),
			Subject:   fuzzSubjects[int(b[3]>>4)%len(fuzzSubjects)],
			Date:      t0.Add(time.Duration(b[3]&0x0f) * time.Minute),
		}
		for k := 0; k < int(b[1]>>6); k++ {
			item.References = append(item.References, id(b[1]>>(2*k)&0x0f+b[2]))
		}
		if b[2]&0x80 != 0 {
			item.InReplyTo = []string{id(b[2])}
		}
		items = append(items, item)
	}
	return items
}

// FuzzThreadBuild checks Build's invariants on arbitrary reference graphs
// (loops, duplicates, self references, missing ids): every item once, no
// cycle, consistent parents, dummies only among roots, sorted.
func FuzzThreadBuild(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0x10, 2, 0x41, 0, 0x21, 3, 0x82, 0x81, 0x32})
	f.Add([]byte{1, 0x42, 0, 0, 2, 0x41, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0x20, 0, 0, 0, 0x30, 5, 0xc5, 0x85, 0x40})
	f.Fuzz(func(t *testing.T, data []byte) {
		items := decodeItems(data)
		roots := Build(items)
		checkForest(t, roots, len(items))
		for _, it := range items {
			BaseSubject(it.Subject)
		}
	})
}

// FuzzBaseSubject checks that BaseSubject is idempotent and never grows.
func FuzzBaseSubject(f *testing.F) {
	for _, s := range fuzzSubjects {
		f.Add(s)
	}
	f.Add("Re[2]: [x] (fwd)")
	f.Fuzz(func(t *testing.T, s string) {
		b := BaseSubject(s)
		if BaseSubject(b) != b {
			t.Fatalf("BaseSubject(%q) = %q, not idempotent: %q", s, b, BaseSubject(b))
		}
	})
}
