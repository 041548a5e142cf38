package mailstore

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"facteur/mailstore/internal/corpus"
)

// rssAnon is the anonymous resident memory of the process (RssAnon of
// /proc/self/status), in bytes, the Go heap given back first: what is
// left of it is mostly SQLite's, whose allocator is not Go's.
func rssAnon(t *testing.T) int64 {
	t.Helper()
	if runtime.GOOS != "linux" {
		// under Wine, a Windows build reads the Linux file of the process
		// that hosts it, whose figures do not follow the program's memory
		t.Skip("RssAnon of /proc/self/status is Linux's")
	}
	runtime.GC()
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no RssAnon in /proc/self/status")
	return 0
}

// ReleaseMemory hands back the page caches that reading the whole index
// filled, in the writer (a rescan) and in the readers (a list of the
// whole folder); the store answers as before afterwards, read-only too.
func TestReleaseMemory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const n = 5000
	if err := corpus.WriteMaildir(filepath.Join(dir, "mail", "Local", "INBOX"), 1, n); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Rescan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if list, err := s.List(ctx, inbox, ListOptions{Limit: n}); err != nil || len(list) != n {
		t.Fatalf("List: %d, %v", len(list), err)
	}
	before := rssAnon(t)
	if err := s.ReleaseMemory(ctx); err != nil {
		t.Fatal(err)
	}
	after := rssAnon(t)
	t.Logf("anonymous RSS %d KB before ReleaseMemory, %d KB after", before>>10, after>>10)
	if after > before-2<<20 {
		t.Errorf("anonymous RSS %d KB after ReleaseMemory, %d KB before: the caches were not given back", after>>10, before>>10)
	}
	if list, err := s.List(ctx, inbox, ListOptions{Limit: 10}); err != nil || len(list) != 10 {
		t.Fatalf("List after ReleaseMemory: %d, %v", len(list), err)
	}
	s.Close()
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.ReleaseMemory(ctx); err != nil {
		t.Errorf("read-only: %v", err)
	}
}
