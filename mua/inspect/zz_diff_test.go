package inspect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestZZDateDiff(t *testing.T) {
	var dates []string
	for _, f := range loadReceivedFixtures(t) {
		h := ParseReceived(f.field)
		dates = append(dates, h.DateRaw)
	}
	files, _ := filepath.Glob("testdata/messages/*.eml")
	files = append(files, "testdata/course-example.eml")
	more, _ := filepath.Glob("../demo/messages/*.eml")
	files = append(files, more...)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		h := readHeader(b)
		for _, fl := range h.fields {
			if strings.EqualFold(fl.Name, "Date") {
				dates = append(dates, fl.Value)
			}
			if strings.EqualFold(fl.Name, "Received") {
				dates = append(dates, ParseReceived(fl.Value).DateRaw)
			}
		}
	}
	for _, d := range dates {
		a, aok := oldParseDate(d)
		b, bok := parseDate(d)
		if aok != bok || !a.Equal(b) {
			t.Errorf("%q: old %v %v new %v %v", d, a, aok, b, bok)
		}
	}
	t.Logf("%d dates", len(dates))
}

func FuzzZZDateDiff(f *testing.F) {
	for _, s := range []string{"Tue, 5 Nov 2024 10:12:01 +0100 (CET)", "Tue Nov  5 10:12:01 2024",
		"5 Nov 24 10:12 EST", "31 Feb 2024 10:00:00 +0000", "2024-11-05T10:12:01Z", "99:99", "1 Jan 0 0:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, aok := oldParseDate(s)
		b, bok := parseDate(s)
		if aok && bok && a.Format("2006-01-02 15:04:05") == b.Format("2006-01-02 15:04:05") {
			return
		}
		if aok && (!bok || !a.Equal(b)) {
			t.Errorf("%q: old %v %v new %v %v", s, a, aok, b, bok)
		}
	})
}
