package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// keyCall matches the literal first argument of lang.L, lang.N, lang.X, lang.XN.
var keyCall = regexp.MustCompile(`lang\.(?:L|N|X|XN)\(\s*("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)

// usedKeys scans the Go sources of the package for translation keys.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, f := range files {
		if filepath.Ext(f) == ".go" && len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyCall.FindAllSubmatch(src, -1) {
			key, err := strconv.Unquote(string(m[1]))
			if err != nil {
				t.Fatalf("%s: %s: %v", f, m[1], err)
			}
			keys[key] = f
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys: is the scanner broken?", len(keys))
	}
	return keys
}

func readTranslation(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := translations.ReadFile("translation/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestEveryKeyIsTranslated(t *testing.T) {
	keys := usedKeys(t)
	for _, name := range []string{"en.json", "fr.json"} {
		tr := readTranslation(t, name)
		for key, file := range keys {
			v, ok := tr[key]
			if !ok {
				t.Errorf("%s: missing key %q (used in %s)", name, key, file)
				continue
			}
			switch v := v.(type) {
			case string:
				if v == "" {
					t.Errorf("%s: empty translation of %q", name, key)
				}
			case map[string]any:
				if _, ok := v["other"]; !ok {
					t.Errorf("%s: plural %q has no \"other\" form", name, key)
				}
			default:
				t.Errorf("%s: %q is a %T", name, key, v)
			}
		}
		for key := range tr {
			if _, ok := keys[key]; !ok {
				t.Errorf("%s: key %q is not used by the code", name, key)
			}
		}
	}
}
