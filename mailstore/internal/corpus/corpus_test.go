package corpus

import (
	"bytes"
	"testing"
)

func TestDeterministicAndSized(t *testing.T) {
	a, b := New(7), New(7)
	var total int
	const n = 1000
	attach, html, reply := 0, 0, 0
	for range n {
		ma, mb := a.Next(), b.Next()
		if !bytes.Equal(ma.Data, mb.Data) {
			t.Fatal("same seed, different messages")
		}
		total += len(ma.Data)
		attach += bytes.Count(ma.Data, []byte("Content-Disposition: attachment"))
		html += bytes.Count(ma.Data, []byte("text/html"))
		reply += bytes.Count(ma.Data, []byte("In-Reply-To:"))
	}
	mean := total / n
	t.Logf("mean size %d bytes, %d attachments, %d html, %d replies", mean, attach, html, reply)
	if mean < 5000 || mean > 12000 {
		t.Errorf("mean size %d, want about 8 KB", mean)
	}
	if attach == 0 || html == 0 || reply == 0 {
		t.Error("corpus lacks attachments, HTML or threads")
	}
}

func TestMbox(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMbox(&buf, 1, 50); err != nil {
		t.Fatal(err)
	}
	if got := bytes.Count(buf.Bytes(), []byte("\nFrom ")) + 1; got != 50 {
		t.Errorf("%d From_ lines, want 50", got)
	}
}
