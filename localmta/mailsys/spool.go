package mailsys

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"facteur/localmta/queue"
)

// ReadSpool reads the state files of a queue directory, oldest first; it
// skips (and reports to warn) the ones it cannot read, and never writes,
// so it works whether an MTA runs on the directory or not.
func ReadSpool(dir string, warn io.Writer) ([]queue.Message, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []queue.Message
	for _, de := range entries {
		id, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || !queue.ValidID(id) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // delivered meanwhile
		}
		m, perr := queue.ParseState(data)
		if err = errors.Join(err, perr); err != nil {
			fmt.Fprintf(warn, "mailq: %s: %v\n", id, err)
			continue
		}
		out = append(out, *m)
	}
	SortQueue(out)
	return out, nil
}

// SortQueue orders messages by arrival, then id, as mailq lists them.
func SortQueue(msgs []queue.Message) {
	slices.SortFunc(msgs, func(a, b queue.Message) int {
		return cmp.Or(a.Arrived.Compare(b.Arrived), strings.Compare(a.ID, b.ID))
	})
}
