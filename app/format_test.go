package app

import (
	"testing"
	"time"

	"facteur/internal/message"
	"facteur/mailstore"
)

func TestFormat(t *testing.T) {
	loadTranslations()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	tests := []struct{ got, want string }{
		{formatCount(0), "0"},
		{formatCount(999), "999"},
		{formatCount(1234567), "1,234,567"},
		{formatSize(512), "512 B"},
		{formatSize(1536), "1.5 KB"},
		{formatSize(210 << 20), "210 MB"},
		{formatListDate(time.Date(2026, 11, 25, 9, 5, 0, 0, time.UTC), now), "09:05"},
		{formatListDate(time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), now), "Tue"}, // yesterday
		{formatListDate(time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), now), "Thu"},   // six days before
		{formatListDate(time.Date(2026, 11, 18, 23, 0, 0, 0, time.UTC), now), "18 Nov"},
		{formatListDate(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), now), "26 Nov"}, // tomorrow: a wrong clock
		{formatListDate(time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC), now), "2 Mar"},
		{formatListDate(time.Date(2000, 5, 11, 18, 19, 0, 0, time.UTC), now), "2000-05-11"},
		{formatListDate(time.Time{}, now), ""},
		{rowSubject("  a\r\n\tb "), "a b"},
		{rowSubject(""), "(no subject)"},
		{displayName(message.Address{Addr: "fred@truc.fr"}), "fred@truc.fr"},
		{rowSender(mailstore.Summary{From: []message.Address{{Name: "Fred", Addr: "fred@truc.fr"}},
			To: []message.Address{{Name: "Marc", Addr: "marc@machin.com"}}}, mailstore.RoleSent), "Marc"},
		{rowSender(mailstore.Summary{Envelope: &mailstore.Envelope{MailFrom: "paul@uvsq.fr"}}, mailstore.RoleInbox), "paul@uvsq.fr"},
		{partName(message.Part{Filename: "../../etc/passwd"}), ".._.._etc_passwd"},
		{partName(message.Part{Path: "2"}), "attachment-2"},
		{partName(message.Part{Path: "2", ContentType: "text/calendar"}), "invite.ics"},
		{partName(message.Part{Path: "2", ContentType: "text/calendar", Filename: "réunion.ics"}), "réunion.ics"},
		{importFolderName("/tmp/x/Archive 2019.mbox"), "Archive 2019"},
		{importFolderName("/tmp/x/mail.eml"), "Imported"},
		{importFolderName("/home/me/Maildir/"), "Maildir"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
