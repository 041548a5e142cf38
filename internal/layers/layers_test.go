package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "facteur"

// rank is the layer of a package tree: a package may import the packages
// of its own tree and those of a lower rank. mua may import localmta and
// mailstore; localmta may import mailstore (the MDA delivers into the
// store), never mua; mailstore neither; internal none of them.
var rank = map[string]int{
	"internal": 0, "icons": 0,
	"mailstore": 1,
	"localmta":  2,
	"mua":       3,
	"app":       4,
	"":          5, // package main, the command line
	"bench":     5, // the benchmarks' own programs
}

// aboveParent are the subpackages that import the package they are part
// of, and why; every other part of a package keeps off its parent (as
// localmta/pop3d does: the logins and the certificate it shares with the
// MTA live in localmta/mtausers and localmta/mtatls).
var aboveParent = map[string]string{
	"localmta/mailsys": "starts the MTA (localmta.New) with its servers: the mail system's one composition root",
	"localmta/handoff": "hands a message to the MTA, or picks it up into its queue (localmta.Pickup)",
}

// testHelper: a package of helpers for the tests of its parent's users
// (storetest, pop3test...), or a command built on its parent.
func testHelper(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasSuffix(base, "test") || strings.Contains(rel, "/cmd/") || base == "gencorpus"
}

// goFile is the import lines of one file of the module.
type goFile struct {
	path, pkg string // pkg: the package's directory, relative to the module
	test      bool
	imports   []string // the module's packages, relative to the module
}

func TestImportLayers(t *testing.T) {
	files := moduleFiles(t)
	if len(files) < 100 {
		t.Fatalf("read only %d Go files: the module root is wrong", len(files))
	}
	for _, f := range files {
		for _, imp := range f.imports {
			if !mayImport(f.pkg, imp) {
				t.Errorf("%s imports %s/%s: %s (rank %d) may import only its own tree and lower ranks (%d)",
					f.path, module, imp, pkgName(f.pkg), rank[top(f.pkg)], rank[top(imp)])
			}
		}
	}
}

func TestPartsKeepOffTheirParent(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if f.test || testHelper(f.pkg) || aboveParent[f.pkg] != "" {
			continue
		}
		for _, imp := range f.imports {
			if imp != "" && f.pkg != imp && strings.HasPrefix(f.pkg, imp+"/") {
				t.Errorf("%s imports its parent %s/%s", f.path, module, imp)
			}
		}
	}
}

// The rule is checked on the rule's own cases, so that a broken reading
// of the tree cannot pass for a clean tree.
func TestMayImport(t *testing.T) {
	tests := []struct {
		pkg, imp string
		want     bool
	}{
		{"localmta/pop3d/pop3test", "mua/account", false},
		{"localmta", "mua/account", false},
		{"mailstore", "localmta/mda", false},
		{"internal/sieve", "mailstore", false},
		{"mua/mailer", "app", false},
		{"mua/mailer", "localmta/handoff", true},
		{"localmta/mda", "mailstore", true},
		{"localmta/mda", "internal/atomicfile", true},
		{"internal/sieve", "internal/mailaddr", true},
		{"app", "mua/mailer", true},
		{"", "app", true},
	}
	for _, tt := range tests {
		if got := mayImport(tt.pkg, tt.imp); got != tt.want {
			t.Errorf("mayImport(%q, %q) = %v, want %v", tt.pkg, tt.imp, got, tt.want)
		}
	}
}

func mayImport(pkg, imp string) bool {
	from, to := top(pkg), top(imp)
	if from == to {
		return true
	}
	rf, ok1 := rank[from]
	rt, ok2 := rank[to]
	return ok1 && ok2 && rt < rf
}

// top is the first element of a package path relative to the module:
// "" for package main.
func top(rel string) string {
	first, _, _ := strings.Cut(rel, "/")
	if strings.HasSuffix(first, ".go") {
		return ""
	}
	return first
}

func pkgName(rel string) string {
	if rel == "" {
		return "package main"
	}
	return module + "/" + rel
}

// moduleFiles reads the imports of every Go file of the module (tests
// included; third_party's own modules and testdata left out).
func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	var files []goFile
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "third_party" || name == "testdata" || strings.HasPrefix(name, ".") || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		af, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		f := goFile{path: strings.TrimPrefix(path, root+string(filepath.Separator)), pkg: filepath.ToSlash(rel),
			test: strings.HasSuffix(name, "_test.go")}
		if f.pkg == "." {
			f.pkg = ""
		}
		for _, is := range af.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			switch {
			case p == module:
				f.imports = append(f.imports, "")
			case strings.HasPrefix(p, module+"/"):
				f.imports = append(f.imports, strings.TrimPrefix(p, module+"/"))
			}
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
