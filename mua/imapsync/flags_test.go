package imapsync

import (
	"testing"

	"github.com/emersion/go-imap/v2"

	"facteur/mailstore"
)

// TestFromIMAP maps the server's system flags, and $Forwarded (RFC 5788,
// Maildir's P), to Maildir flags whatever their ASCII case (RFC 9051
// §2.3.2), and nothing else: other keywords, and
// names that only Unicode case folding would match (U+017F, long s, folds
// to s), are not system flags.
func TestFromIMAP(t *testing.T) {
	tests := []struct {
		name  string
		flags []imap.Flag
		want  mailstore.Flags
	}{
		{"none", nil, 0},
		{"canonical", []imap.Flag{imap.FlagSeen, imap.FlagDraft}, mailstore.FlagSeen | mailstore.FlagDraft},
		{"other case", []imap.Flag{`\SEEN`, `\flagged`, `\AnSwErEd`, `\deleted`}, mailstore.FlagSeen | mailstore.FlagFlagged | mailstore.FlagAnswered | mailstore.FlagTrashed},
		{"keywords", []imap.Flag{`$Label1`, `Seen`, `\Seenx`, `\See`}, 0},
		{"forwarded", []imap.Flag{`$forwarded`}, mailstore.FlagPassed},
		{"unicode fold", []imap.Flag{"\\\u017feen"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromIMAP(tt.flags); got != tt.want {
				t.Fatalf("fromIMAP(%q) = %v, want %v", tt.flags, got, tt.want)
			}
		})
	}
}
