package localmta

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// eachEntry calls fn with every line of a table file in Postfix's style
// (users, transport), trimmed, with its line number; blank lines and '#'
// comments are skipped. It stops at fn's first error.
func eachEntry(r io.Reader, fn func(n int, line string) error) error {
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

// loadTable opens path and parses it with parse.
func loadTable[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(f)
}
