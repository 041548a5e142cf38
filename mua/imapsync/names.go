package imapsync

import (
	"strings"
)

// Folder names. A server names its mailboxes with its own hierarchy
// delimiter (LIST's: '/' for Dovecot's default layout and Cyrus with
// unixhierarchysep, '.' for Courier-IMAP, Dovecot's Maildir++ layout and
// Cyrus without it, none on a flat server) and often under a personal
// namespace prefix (RFC 2342 NAMESPACE: "INBOX." for Courier, where
// "INBOX.Work" is a sibling of INBOX for the user, not its child).
// Facteur keeps two names for every folder:
//
//   - the remote name, the server's mailbox name exactly as LIST gave it
//     (imapclient decodes modified UTF-7, RFC 3501 §5.1.3, into UTF-8 and
//     encodes it back on the wire, or sends UTF-8 as it is under
//     UTF8=ACCEPT, RFC 6855, and IMAP4rev2, RFC 9051 §5.1: both are
//     one-to-one on the names a server writes), used for every command
//     sent to the server and kept in the sync state;
//   - the local name, the mailstore folder ('/' between levels, see
//     package facteur/mailstore), derived once (localName) and kept
//     beside the remote one, so that a rename of the derivation never
//     moves an existing folder.
//
// localName drops the personal prefix ("INBOX.Work" is "Work"), maps the
// delimiter to '/' and writes a '/' inside a level (a name such as
// "INBOX.a/b" on a '.' server) as U+2215 DIVISION SLASH, which looks the
// same in the folder list and is not a separator. INBOX stays INBOX
// whatever its case; a folder that the server really nests under INBOX
// (no prefix, "INBOX/Child") stays under it.

// namespace is the personal namespace of the account (RFC 2342 §5): the
// prefix of the user's own mailboxes and its delimiter. The zero value
// is no prefix (a server without NAMESPACE).
type namespace struct {
	Prefix string
	Delim  rune
}

// slashInLevel stands for a '/' inside one level of a remote name.
const slashInLevel = "\u2215"

// emptyLevel stands for an empty level ("a..b" on a '.' server), which a
// mailstore folder cannot have.
const emptyLevel = "_"

// localName derives the local name of a remote mailbox (see above).
func localName(remote string, delim rune, ns namespace) string {
	if strings.EqualFold(remote, "INBOX") {
		return "INBOX"
	}
	rest := remote
	if p, ok := stripPrefix(remote, ns.Prefix); ok {
		if l := joinLevels(p, delim); !strings.EqualFold(l, "INBOX") {
			return l
		}
		// "INBOX.INBOX" is not INBOX: keep the prefix
	}
	return joinLevels(rest, delim)
}

// stripPrefix removes the personal prefix from a remote name; "INBOX" at
// its start matches in any case (RFC 9051 §5.1).
func stripPrefix(remote, prefix string) (string, bool) {
	if prefix == "" || len(remote) <= len(prefix) {
		return "", false
	}
	head := remote[:len(prefix)]
	if head == prefix {
		return remote[len(prefix):], true
	}
	if len(prefix) > 5 && strings.EqualFold(prefix[:5], "INBOX") && strings.EqualFold(head[:5], "INBOX") && head[5:] == prefix[5:] {
		return remote[len(prefix):], true
	}
	return "", false
}

// joinLevels splits a remote name on its delimiter and joins the levels
// with '/'.
func joinLevels(name string, delim rune) string {
	var levels []string
	if delim == 0 {
		levels = []string{name}
	} else {
		levels = strings.Split(name, string(delim))
	}
	for i, l := range levels {
		if delim != '/' {
			l = strings.ReplaceAll(l, "/", slashInLevel)
		}
		if l == "" {
			l = emptyLevel
		}
		levels[i] = l
	}
	return strings.Join(levels, "/")
}

// remoteFromLocal is the remote name of a local folder that no LIST has
// named yet (a folder to CREATE): under the personal prefix, with the
// server's delimiter. It reverses localName.
func remoteFromLocal(local string, ns namespace) string {
	if strings.EqualFold(local, "INBOX") {
		return "INBOX"
	}
	if ns.Delim == 0 || ns.Delim == '/' {
		return ns.Prefix + local
	}
	levels := strings.Split(local, "/")
	for i, l := range levels {
		levels[i] = strings.ReplaceAll(l, slashInLevel, "/")
	}
	return ns.Prefix + strings.Join(levels, string(ns.Delim))
}

// legacyName is the local name that Facteur gave a remote mailbox before
// it kept remote names: the delimiter replaced with '/', nothing else.
func legacyName(remote string, delim rune) string {
	if strings.EqualFold(remote, "INBOX") {
		return "INBOX"
	}
	if delim == 0 || delim == '/' {
		return remote
	}
	return strings.ReplaceAll(remote, string(delim), "/")
}
