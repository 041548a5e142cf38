package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The facteur binary the tests that start real processes share: built once
// per run of the tests, into a directory removed by TestMain.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// facteurBinary builds the facteur command (once) and returns its path; it
// skips the test in -short mode, on Windows and without the go tool.
func facteurBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("starts facteur processes: Unix only")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build facteur:", err)
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "facteur-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "facteur")
		build := exec.Command(goTool, "build", "-tags", "migrated_fynedo", "-o", built.bin, ".")
		built.out, built.err = build.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// proc is a facteur process started by a test.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// startFacteur starts bin with the profile dir and args.
func startFacteur(t *testing.T, bin, dir, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name}
	p.cmd = exec.Command(bin, append([]string{"--profile", dir}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}
