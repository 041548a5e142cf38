package mailstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Issue 11, item 6: tmp/ is emptied of what gone writers left, and of
// anything older than 36 hours, and of nothing else.
func TestCleanTmp(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if err := s.CreateFolder(ctx, inbox, RoleInbox); err != nil {
		t.Fatal(err)
	}
	fi, _ := s.folder(inbox)
	now := time.Now()
	const noSuchPID = 0x7ffffff0 // above any pid_max
	old := now.Add(-tmpMaxAge - time.Hour)
	files := []struct {
		name  string
		mtime time.Time
		gone  bool
	}{
		{fmt.Sprintf("%d.P%d.%s.123", now.Unix(), noSuchPID, hostname), now, true},     // its writer is dead
		{fmt.Sprintf("%d.P%d.%s.124", now.Unix(), os.Getppid(), hostname), now, false}, // its writer runs
		{fmt.Sprintf("%d.P%d.other.host.125", now.Unix(), noSuchPID), now, false},      // another host's
		{fmt.Sprintf("%d.P%d.%s.126", started.Unix()-10, pid, hostname), now, true},    // a predecessor with this PID
		{fmt.Sprintf("%d.P%d.%s.127", now.Unix()+1, pid, hostname), now, false},        // this process's, being written
		{"1700000000.M1P2.mutt-host", now, false},                                      // another program's, recent
		{"1700000000.M1P3.mutt-host", old, true},                                       // another program's, 37 hours old
		{fmt.Sprintf("%d.P%d.%s.128", old.Unix(), os.Getppid(), hostname), old, true},  // 37 hours old, whoever wrote it
	}
	tmp := filepath.Join(fi.dir, subTmp)
	var want []string
	for _, f := range files {
		path := filepath.Join(tmp, f.name)
		if err := os.WriteFile(path, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, f.mtime, f.mtime); err != nil {
			t.Fatal(err)
		}
		if !f.gone {
			want = append(want, f.name)
		}
	}
	st, err := s.Rescan(ctx, nil)
	if err != nil || st.Leftovers != len(files)-len(want) {
		t.Fatalf("rescan: %+v, %v; want %d leftovers", st, err, len(files)-len(want))
	}
	left, _ := listNames(tmp)
	slices.Sort(left)
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("tmp/ holds %q, want %q", left, want)
	}
	if st, _ := s.Rescan(ctx, nil); st.Leftovers != 0 {
		t.Errorf("second rescan: %+v (tmp/ is cleaned once per process)", st)
	}
}

// The files a store writes are named so that tmpWriter reads them back.
func TestTmpNameRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := createMaildir(dir); err != nil {
		t.Fatal(err)
	}
	f, err := createTmp(dir, time.Unix(1800000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	sec, p, host, ok := tmpWriter(filepath.Base(f.Name()))
	if !ok || sec != 1800000000 || p != pid || host != hostname || tmpOrphan(filepath.Base(f.Name())) {
		t.Fatalf("%s: %d %d %q %v", f.Name(), sec, p, host, ok)
	}
}
