package inspect

import (
	"bytes"
	"fmt"
	"testing"
)

// message30 builds a message with 30 Received fields of the fixture
// families, as a long route through content filters and relays.
func message30(tb testing.TB) []byte {
	fixtures := loadReceivedFixtures(tb)
	var b bytes.Buffer
	b.WriteString("Return-Path: <alice@example.org>\r\nDelivered-To: bob@example.com\r\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "Received:%s\r\n", fixtures[i%len(fixtures)].field)
	}
	b.WriteString("From: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>\r\nSubject: thirty hops\r\n" +
		"Date: Tue, 5 Nov 2024 10:11:57 +0100\r\nMessage-ID: <thirty@example.org>\r\n\r\nBody.\r\n")
	return b.Bytes()
}

// BenchmarkAnalyze30Hops: the goal is under 100 µs per message, without
// DNS. Besides the wall time it reports cpu-ns/op, the process's CPU time
// per analysis (its garbage collector's included), which other work on a
// loaded machine disturbs much less.
func BenchmarkAnalyze30Hops(b *testing.B) {
	raw := message30(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	start, ok := processCPU()
	for b.Loop() {
		r, err := Analyze(bytes.NewReader(raw), Options{})
		if err != nil || len(r.Route.Hops) != 30 {
			b.Fatalf("%v, %d hops", err, len(r.Route.Hops))
		}
	}
	if end, ok2 := processCPU(); ok && ok2 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// TestAnalyzeAllocs keeps the allocations of an analysis from creeping
// back: a 30-hop message took 138 before the route, the header and the
// findings shared their buffers, 62 since.
func TestAnalyzeAllocs(t *testing.T) {
	raw := message30(t)
	n := testing.AllocsPerRun(20, func() {
		if _, err := Analyze(bytes.NewReader(raw), Options{}); err != nil {
			t.Fatal(err)
		}
	})
	if n > 70 {
		t.Errorf("%.0f allocations per analysis of a 30-hop message, want at most 70", n)
	}
}

func BenchmarkParseReceived(b *testing.B) {
	fixtures := loadReceivedFixtures(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ParseReceived(fixtures[i%len(fixtures)].field)
		i++
	}
}
