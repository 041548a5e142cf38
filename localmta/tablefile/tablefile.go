// Package tablefile reads the lookup tables of the local MTA in Postfix's
// style (users, aliases, transport): one entry a line, blank lines and
// '#' comments skipped.
package tablefile

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// EachEntry calls fn with every line of a table file, trimmed, with its
// line number; blank lines and '#' comments are skipped. It stops at fn's
// first error.
func EachEntry(r io.Reader, fn func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return sc.Err()
}

// Load opens path and parses it with parse.
func Load[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f)
}
