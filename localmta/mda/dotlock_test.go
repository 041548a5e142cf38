package mda

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// deadPID returns the PID of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run a child process:", err)
	}
	return cmd.Process.Pid
}

// TestDotlockOfDeadProcessIsStale: a kill -9 during an mbox delivery
// leaves a dotlock whose process is gone; the next delivery breaks it at
// once instead of waiting for StaleLock (issue 10: messages waited 10 min).
func TestDotlockOfDeadProcessIsStale(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" && runtime.GOOS != "windows" && runtime.GOOS != "freebsd" {
		t.Skip("no process check on", runtime.GOOS)
	}
	dead := deadPID(t)
	cases := []struct {
		name    string
		content string
		busy    bool
	}{
		{"dead PID", fmt.Sprintf("%d\n", dead), false},
		{"dead PID on this host", fmt.Sprintf("%d %s\n", dead, lockHost()), false},
		{"this PID, not held (an earlier process)", fmt.Sprintf("%d %s\n", os.Getpid(), lockHost()), false},
		{"dead PID of another host", fmt.Sprintf("%d other-host.example\n", dead), true},
		{"live PID", fmt.Sprintf("%d\n", os.Getppid()), true},
		{"no PID", "\n", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "marc.lock"), []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			tg := &Mbox{Dir: dir, LockTimeout: 300 * time.Millisecond, StaleLock: time.Hour}
			err := deliver(t, tg, "a@b", StringBuffer(testMsg), "marc")
			if c.busy != errors.Is(err, ErrMailboxBusy) || (!c.busy && err != nil) {
				t.Fatalf("lock %q: delivery returned %v, want busy=%v", c.content, err, c.busy)
			}
			if _, err := os.Stat(filepath.Join(dir, "marc.lock")); c.busy != (err == nil) {
				t.Fatalf("lock %q: after delivery, lock file stat: %v", c.content, err)
			}
		})
	}
}
