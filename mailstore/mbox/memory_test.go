package mbox

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sampleMessage is a typical message with a base64 attachment, as in an
// mbox file (>From escaped).
func sampleMessage(lines int) []byte {
	var b bytes.Buffer
	b.WriteString("From fred@truc.fr Thu May 11 18:19:24 2000\n")
	b.WriteString("From: fred@truc.fr\nTo: marc@machin.com\nSubject: test\n\nhello\n>From the body\n\n")
	for i := 0; i < lines; i++ {
		b.WriteString("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n")
	}
	b.WriteString("\n")
	return b.Bytes()
}

// generate writes about size bytes of mbox to w: one message of half the
// size, then small messages. It does not allocate per message.
func generate(w io.Writer, size int) (messages int, err error) {
	small := sampleMessage(20)
	hugeHead := sampleMessage(0)
	line := []byte(strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n", 512))
	if _, err := w.Write(hugeHead[:len(hugeHead)-1]); err != nil {
		return 0, err
	}
	n := len(hugeHead)
	for n < size/2 {
		if _, err := w.Write(line); err != nil {
			return 0, err
		}
		n += len(line)
	}
	if _, err := w.Write([]byte("\n")); err != nil {
		return 0, err
	}
	messages = 1
	for n < size {
		if _, err := w.Write(small); err != nil {
			return 0, err
		}
		n += len(small)
		messages++
	}
	return messages, nil
}

// TestMemoryFlat reads a generated stream of hundreds of megabytes through
// an io.Pipe and checks that the heap does not grow with it: allocations are
// a few per message, none per byte.
func TestMemoryFlat(t *testing.T) {
	size := 256 << 20
	if testing.Short() {
		size = 16 << 20
	}
	pr, pw := io.Pipe()
	sent := make(chan int, 1)
	go func() {
		n, err := generate(pw, size)
		pw.CloseWithError(err)
		sent <- n
	}()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := NewReader(pr)
	buf := make([]byte, 32<<10)
	got, total := 0, int64(0)
	for {
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, m.Body, buf)
		if err != nil {
			t.Fatal(err)
		}
		got++
		total += n
	}
	runtime.ReadMemStats(&after)
	if want := <-sent; got != want {
		t.Fatalf("read %d messages, want %d", got, want)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	perMessage := float64(allocated) / float64(got)
	t.Logf("%d MiB, %d messages, %d bytes allocated (%.0f per message), heap %d -> %d KiB",
		r.Offset()>>20, got, allocated, perMessage, before.HeapAlloc>>10, after.HeapAlloc>>10)
	// The reader's buffer (64 KiB) plus a small constant per message.
	if limit := uint64(256<<10) + uint64(got)*512; allocated > limit {
		t.Errorf("allocated %d bytes for %d messages (%d MiB): memory is not flat (limit %d)", allocated, got, total>>20, limit)
	}
}

// TestAllocsPerMessage bounds the allocations per message, whatever its
// size.
func TestAllocsPerMessage(t *testing.T) {
	var small, big bytes.Buffer
	for i := 0; i < 100; i++ {
		small.Write(sampleMessage(10))
		big.Write(sampleMessage(1000))
	}
	for _, data := range [][]byte{small.Bytes(), big.Bytes()} {
		buf := make([]byte, 32<<10)
		var discard io.Writer = struct{ io.Writer }{io.Discard}
		allocs := testing.AllocsPerRun(5, func() {
			r := NewReader(bytes.NewReader(data))
			for {
				m, err := r.Next()
				if err != nil {
					break
				}
				io.CopyBuffer(discard, m.Body, buf)
			}
		})
		// bytes.NewReader and NewReader: 4 allocations; per message: Message, body reader,
		// sender string.
		if allocs > 4+3*100 {
			t.Errorf("%d bytes: %.0f allocations for 100 messages", len(data), allocs)
		}
	}
}

func BenchmarkReader(b *testing.B) {
	var data bytes.Buffer
	for data.Len() < 8<<20 {
		data.Write(sampleMessage(100))
	}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	buf := make([]byte, 32<<10)
	for b.Loop() {
		r := NewReader(bytes.NewReader(data.Bytes()))
		for {
			m, err := r.Next()
			if err != nil {
				break
			}
			io.CopyBuffer(struct{ io.Writer }{io.Discard}, m.Body, buf)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	msg := sampleMessage(100)
	msg = msg[bytes.IndexByte(msg, '\n')+1:]
	w := NewWriter(io.Discard)
	date := time.Date(2000, 5, 11, 18, 19, 24, 0, time.UTC)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write("fred@truc.fr", date, bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}

func Example() {
	var file bytes.Buffer
	w := NewWriter(&file)
	date := time.Date(2000, 5, 11, 16, 19, 24, 0, time.UTC)
	w.Write("fred@truc.fr", date, strings.NewReader("Subject: hello\n\nFrom Paris.\n"))
	fmt.Print(file.String())

	r := NewReader(&file)
	for {
		m, err := r.Next()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(m.Body)
		fmt.Printf("%s %s %q\n", m.Sender, m.Date.Format(time.RFC3339), body)
	}
	// Output:
	// From fred@truc.fr Thu May 11 16:19:24 2000
	// Subject: hello
	//
	// >From Paris.
	//
	// fred@truc.fr 2000-05-11T16:19:24Z "Subject: hello\n\nFrom Paris.\n"
}
