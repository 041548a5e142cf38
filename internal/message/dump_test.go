package message

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestDump(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, f := range files {
		fh, _ := os.Open(f)
		m, err := Parse(fh, Options{})
		fh.Close()
		fmt.Printf("=== %s err=%v\n", f, err)
		if m == nil {
			continue
		}
		fmt.Printf("ID=%q Subject=%q Date=%v\nFrom=%q To=%q Cc=%q\nIRT=%q Refs=%q\nFromHTML=%v Links=%q\nAtt=%+v\nText=%q\n", m.MessageID, m.Subject, m.Date, m.From, m.To, m.Cc, m.InReplyTo, m.References, m.FromHTML, m.Links, m.Attachments, m.Text)
		for _, p := range m.Problems {
			fmt.Println("  problem:", p)
		}
	}
}
