package imapd

import (
	"strings"

	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
)

// delim separates the levels of a mailbox name, as in mailstore names.
const delim = '/'

// inbox is the name IMAP gives the INBOX, whatever its case (RFC 9051 §5.1).
const inbox = "INBOX"

// mailboxName is the IMAP name of a folder.
func mailboxName(ref mailstore.FolderRef) string {
	if strings.EqualFold(ref.Name, inbox) {
		return inbox
	}
	return ref.Name
}

// specialUse is the RFC 6154 attribute of a folder role.
func specialUse(role mailstore.Role) imap.MailboxAttr {
	switch role {
	case mailstore.RoleSent:
		return imap.MailboxAttrSent
	case mailstore.RoleDrafts:
		return imap.MailboxAttrDrafts
	case mailstore.RoleTrash:
		return imap.MailboxAttrTrash
	case mailstore.RoleJunk:
		return imap.MailboxAttrJunk
	case mailstore.RoleArchive:
		return imap.MailboxAttrArchive
	}
	return ""
}

// roleOf is the folder role of a CREATE (USE (...)) attribute.
func roleOf(attrs []imap.MailboxAttr) mailstore.Role {
	for _, a := range attrs {
		switch imap.MailboxAttr(strings.ToLower(string(a))) {
		case "\\sent":
			return mailstore.RoleSent
		case "\\drafts":
			return mailstore.RoleDrafts
		case "\\trash":
			return mailstore.RoleTrash
		case "\\junk":
			return mailstore.RoleJunk
		case "\\archive":
			return mailstore.RoleArchive
		}
	}
	return mailstore.RoleNone
}

// systemFlags are the IMAP system flags and the Maildir flags they are.
var systemFlags = []struct {
	imap imap.Flag
	flag mailstore.Flags
}{
	{imap.FlagSeen, mailstore.FlagSeen},
	{imap.FlagAnswered, mailstore.FlagAnswered},
	{imap.FlagFlagged, mailstore.FlagFlagged},
	{imap.FlagDraft, mailstore.FlagDraft},
	{imap.FlagDeleted, mailstore.FlagTrashed},
	{imap.FlagForwarded, mailstore.FlagPassed},
}

// permanentFlags are the flags a client may set for good; \* says that
// it may make keywords too.
var permanentFlags = []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged,
	imap.FlagDraft, imap.FlagDeleted, imap.FlagForwarded, imap.FlagWildcard}

// flagSet splits IMAP flags into Maildir flags and keywords. \Recent,
// which a client may not set, and \* are dropped.
func flagSet(flags []imap.Flag) (mailstore.Flags, []string) {
	var f mailstore.Flags
	var kw []string
	for _, fl := range flags {
		known := false
		for _, sf := range systemFlags {
			if strings.EqualFold(string(fl), string(sf.imap)) {
				f |= sf.flag
				known = true
			}
		}
		if !known && !strings.HasPrefix(string(fl), `\`) {
			kw = append(kw, string(fl))
		}
	}
	return f, kw
}

// imapFlags returns the IMAP flags of Maildir flags and keyword letters.
func imapFlags(f mailstore.Flags, letters string, keywords map[byte]string) []imap.Flag {
	out := []imap.Flag{}
	for _, sf := range systemFlags {
		if f&sf.flag != 0 {
			out = append(out, sf.imap)
		}
	}
	for i := 0; i < len(letters); i++ {
		if kw, ok := keywords[letters[i]]; ok {
			out = append(out, imap.Flag(kw))
		}
	}
	return out
}
