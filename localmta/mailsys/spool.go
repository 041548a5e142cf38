package mailsys

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"facteur/localmta/queue"
)

// ReadSpool reads the messages of a queue directory, oldest first; it
// skips (and reports to warn) the ones it cannot read, and never writes,
// so it works whether an MTA runs on the directory or not.
func ReadSpool(dir string, warn io.Writer) ([]queue.Message, error) {
	return queue.ReadSpool(dir, func(id string, err error) {
		fmt.Fprintf(warn, "mailq: %s: %v\n", id, err)
	})
}

// SortQueue orders messages by arrival, then id, as mailq lists them.
func SortQueue(msgs []queue.Message) {
	slices.SortFunc(msgs, func(a, b queue.Message) int {
		return cmp.Or(a.Arrived.Compare(b.Arrived), strings.Compare(a.ID, b.ID))
	})
}
