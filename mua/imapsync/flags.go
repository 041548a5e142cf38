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
}

// syncedFlags are the flags kept in sync (FlagPassed has no IMAP system
// flag; $Forwarded is not standard).
const syncedFlags = mailstore.FlagSeen | mailstore.FlagAnswered | mailstore.FlagFlagged | mailstore.FlagDraft | mailstore.FlagTrashed

func fromIMAP(flags []imap.Flag) mailstore.Flags {
	var f mailstore.Flags
	for _, fl := range flags {
		for _, m := range flagMap {
			if imap.Flag(canon(string(fl))) == imap.Flag(canon(string(m.imap))) {
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

func canon(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
