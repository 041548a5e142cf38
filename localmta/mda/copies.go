package mda

import (
	"strconv"
	"strings"

	"facteur/mailstore"
)

// Copy is one copy of a message that a filter files: its folder and its
// flags.
type Copy struct {
	Folder mailstore.FolderRef
	Flags  mailstore.Flags
}

// FlagsOf returns the Maildir flags of IMAP flag names ("\\Seen",
// "\\Flagged"...; RFC 5232's flags). Keywords ("$Junk") have no Maildir
// flag and are not kept.
func FlagsOf(names []string) mailstore.Flags {
	var f mailstore.Flags
	for _, n := range names {
		switch strings.ToLower(n) {
		case `\seen`:
			f |= mailstore.FlagSeen
		case `\answered`:
			f |= mailstore.FlagAnswered
		case `\flagged`:
			f |= mailstore.FlagFlagged
		case `\draft`:
			f |= mailstore.FlagDraft
		case `\deleted`:
			f |= mailstore.FlagTrashed
		}
	}
	return f
}

// copyKey is the Maildir key of the nth copy (from 0) of a delivery: the
// delivery key itself for the first, so that a replay writes none twice.
func copyKey(key string, n int) string {
	if key == "" || n == 0 {
		return key
	}
	return key + "_" + strconv.Itoa(n)
}
