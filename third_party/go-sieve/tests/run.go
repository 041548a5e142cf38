package tests

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foxcpp/go-sieve"
	"github.com/foxcpp/go-sieve/interp"
)

func RunDovecotTestInline(t *testing.T, baseDir string, scriptText string) {
	opts := sieve.DefaultOptions()
	opts.Lexer.Filename = "inline"
	opts.Interp.T = t

	script, err := sieve.Load(strings.NewReader(scriptText), opts)
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()

	// Empty data.
	data := sieve.NewRuntimeData(script, interp.DummyPolicy{},
		interp.EnvelopeStatic{}, interp.MessageStatic{})

	if baseDir != "" {
		baseDir = PigeonholePath(t, baseDir)
	}
	if baseDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		data.Namespace = os.DirFS(wd)
	} else {
		data.Namespace = os.DirFS(baseDir)
	}

	err = script.Execute(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
}

// PigeonholePath returns where a file of Pigeonhole's source tree is: the
// "pigeonhole" submodule of upstream, or, in Facteur's copy, the tree that
// $PIGEONHOLE_DIR names (interop/sieve.sh unpacks Debian's dovecot source
// package there). Without either the test is skipped.
func PigeonholePath(t *testing.T, path string) string {
	rest, ok := strings.CutPrefix(filepath.ToSlash(path), "pigeonhole/")
	if !ok {
		return path
	}
	if dir := os.Getenv("PIGEONHOLE_DIR"); dir != "" {
		return filepath.Join(dir, filepath.FromSlash(rest))
	}
	if _, err := os.Stat("pigeonhole"); err == nil {
		return path
	}
	t.Skip("Pigeonhole's tests are not here: set PIGEONHOLE_DIR to its source tree (bash interop/sieve.sh does)")
	return ""
}

func RunDovecotTestWithout(t *testing.T, path string, disabledTests []string) {
	path = PigeonholePath(t, path)
	svScript, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	opts := sieve.DefaultOptions()
	opts.Lexer.Filename = filepath.Base(path)
	opts.Interp.T = t
	opts.Interp.DisabledTests = disabledTests

	script, err := sieve.Load(bytes.NewReader(svScript), opts)
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()

	// Empty data.
	data := sieve.NewRuntimeData(script, interp.DummyPolicy{},
		interp.EnvelopeStatic{}, interp.MessageStatic{})
	data.Namespace = os.DirFS(filepath.Dir(path))

	err = script.Execute(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
}

func RunDovecotTest(t *testing.T, path string) {
	RunDovecotTestWithout(t, path, nil)
}
