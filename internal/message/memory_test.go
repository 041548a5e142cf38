package message

import (
	"io"
	"runtime"
	"strings"
	"testing"
)

// writeHuge writes a message with a text part of textSize bytes and a
// base64 attachment of about attSize bytes, without holding them.
func writeHuge(w io.Writer, textSize, attSize int) error {
	head := "From: fred@truc.fr\r\nSubject: huge\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	text := []byte(strings.Repeat("Le café est prêt. ", 1000) + "\r\n")
	for n := 0; n < textSize; n += len(text) {
		if _, err := w.Write(text); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "--b\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"); err != nil {
		return err
	}
	line := []byte(strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n", 1000))
	for n := 0; n < attSize; n += len(line) / 74 * 54 {
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "--b--\r\n")
	return err
}

// TestParseHugeMessage streams a message of about 100 MB through a pipe:
// with MaxText, the memory Parse uses does not depend on the size of the
// message (only the first MaxText bytes of text are decoded, the
// attachment is counted, never decoded).
func TestParseHugeMessage(t *testing.T) {
	attSize := 96 << 20
	if testing.Short() {
		attSize = 8 << 20
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeHuge(pw, 4<<20, attSize)) }()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m, err := Parse(pr, Options{MaxText: 64 << 10})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Text) > 64<<10 || len(m.Text) < 60<<10 || len(m.Attachments) != 1 || len(m.Problems) != 0 {
		t.Fatalf("text %d bytes, attachments %+v, problems %v", len(m.Text), m.Attachments, m.Problems)
	}
	if got := m.Attachments[0].Size; got < int64(attSize) || got > int64(attSize)+54000 || got%54 != 0 {
		t.Errorf("attachment size %d", got)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MiB attachment: %d KiB allocated", attSize>>20, allocated>>10)
	if allocated > 2<<20 {
		t.Errorf("Parse allocated %d bytes for a 4 MB text and a %d MB attachment", allocated, attSize>>20)
	}
}
