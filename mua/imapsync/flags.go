package imapsync

import (
	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// flagMap pairs IMAP system flags (RFC 9051 §2.3.2) with Maildir flags.
// \Deleted is Maildir's T (trashed).
var flagMap = []struct {
	imap imap.Flag
	mail mailstore.Flags
}{
	{imap.FlagSeen, mailstore.FlagSeen},
	{imap.FlagAnswered, mailstore.FlagAnswered},
	{imap.FlagFlagged, mailstore.FlagFlagged},
	{imap.FlagDraft, mailstore.FlagDraft},
	{imap.FlagDeleted, mailstore.FlagTrashed},
	// the keyword $Forwarded (RFC 5788, what Thunderbird sets) is the
	// Maildir flag P (passed), as Dovecot has it
	{imap.FlagForwarded, mailstore.FlagPassed},
}

// syncedFlags are the flags kept in sync.
const syncedFlags = mailstore.FlagSeen | mailstore.FlagAnswered | mailstore.FlagFlagged | mailstore.FlagDraft |
	mailstore.FlagTrashed | mailstore.FlagPassed

func fromIMAP(flags []imap.Flag) mailstore.Flags {
	var f mailstore.Flags
	for _, fl := range flags {
		for _, m := range flagMap {
			if sameFlag(fl, m.imap) {
				f |= m.mail
			}
		}
	}
	return f
}

func toIMAP(f mailstore.Flags) []imap.Flag {
	var out []imap.Flag
	for _, m := range flagMap {
		if f&m.mail != 0 {
			out = append(out, m.imap)
		}
	}
	return out
}

// sameFlag compares flag names without regard to ASCII case (RFC 9051
// §2.3.2: flags are case-insensitive), without allocating: it runs for
// every flag of every message of a FETCH FLAGS.
func sameFlag(a, b imap.Flag) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
