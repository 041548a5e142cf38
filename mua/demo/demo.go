// Package demo fills an empty profile with a small mailbox to read at once: the
// example message of the course Facteur grew from (Christian CALECA, "test
// itineraire", three Received hops), the course's SMTP session message with its
// legacy address forms, the itinerary fred@truc.fr -> marc@machin.com as a thread,
// a secondary-MX story, an HTML newsletter, an attachment (a Postfix transport
// table), RFC 2047 subjects in two charsets, and a meeting invitation as
// Outlook sends it (iMIP, text/calendar; method=REQUEST).
//
// The messages are ordinary RFC 5322 files embedded in the binary; Seed adds them
// to the Local account through mailstore like any other delivery.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"facteur/mailstore"
)

// Account is the name of the account the demo mailbox is written to.
const Account = "Local"

//go:embed messages/*.eml
var messages embed.FS

// folder describes one demo folder: its name, role and the flags its messages get.
type folder struct {
	name  string
	role  mailstore.Role
	flags mailstore.Flags
}

// folders maps a file-name prefix to its folder.
var folders = map[string]folder{
	"inbox":   {"INBOX", mailstore.RoleInbox, 0},
	"sent":    {"Sent", mailstore.RoleSent, mailstore.FlagSeen},
	"drafts":  {"Drafts", mailstore.RoleDrafts, mailstore.FlagSeen | mailstore.FlagDraft},
	"archive": {"Archive", mailstore.RoleArchive, mailstore.FlagSeen},
	"trash":   {"Trash", mailstore.RoleTrash, mailstore.FlagSeen},
	"junk":    {"Junk", mailstore.RoleJunk, mailstore.FlagSeen},
}

// extra holds per-message flags and envelopes beyond the folder's defaults.
var extra = map[string]mailstore.AddOptions{
	"inbox-01-course-example.eml": {Flags: mailstore.FlagSeen},
	"inbox-02-smtp-session.eml": {Flags: mailstore.FlagSeen, Envelope: &mailstore.Envelope{
		MailFrom: "paul@uvsq.fr", RcptTo: []string{"jean@jussieu.fr"},
	}},
	"inbox-05-mx-backup.eml": {Flags: mailstore.FlagFlagged},
}

// Seed adds the demo mailbox to s when s holds no message at all, and reports
// whether it did. A store that has mail, even in one folder, is never touched.
func Seed(ctx context.Context, s *mailstore.Store) (bool, error) {
	empty, err := isEmpty(ctx, s)
	if err != nil || !empty {
		return false, err
	}
	for _, f := range folders {
		ref := mailstore.FolderRef{Account: Account, Name: f.name}
		if err := s.CreateFolder(ctx, ref, f.role); err != nil {
			return false, fmt.Errorf("demo: create %s: %w", ref, err)
		}
	}
	names, err := Files()
	if err != nil {
		return false, err
	}
	for _, name := range names {
		if err := add(ctx, s, name); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Files lists the embedded demo messages in the order Seed adds them.
func Files() ([]string, error) {
	entries, err := fs.ReadDir(messages, "messages")
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// Message returns the bytes of one embedded demo message.
func Message(name string) ([]byte, error) {
	return messages.ReadFile(path.Join("messages", name))
}

func add(ctx context.Context, s *mailstore.Store, name string) error {
	prefix, _, _ := strings.Cut(name, "-")
	f, ok := folders[prefix]
	if !ok {
		return fmt.Errorf("demo: %s: no folder for prefix %q", name, prefix)
	}
	raw, err := Message(name)
	if err != nil {
		return err
	}
	opt := extra[name]
	opt.Flags |= f.flags
	ref := mailstore.FolderRef{Account: Account, Name: f.name}
	if _, err := s.Add(ctx, ref, bytes.NewReader(raw), opt); err != nil {
		return fmt.Errorf("demo: add %s: %w", name, err)
	}
	return nil
}

func isEmpty(ctx context.Context, s *mailstore.Store) (bool, error) {
	fs, err := s.Folders(ctx)
	if err != nil {
		return false, err
	}
	for _, f := range fs {
		if f.Total > 0 {
			return false, nil
		}
	}
	return true, nil
}
