package imapd

import (
	"sort"
	"strings"

	"facteur/mailstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// listEntry is one name of a LIST answer.
type listEntry struct {
	name   string
	role   mailstore.Role
	exists bool // false: a level above folders, or a subscribed name without folder
}

// List answers LIST and LSUB (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258,
// SPECIAL-USE RFC 6154, LIST-STATUS RFC 5819). Special-use attributes are
// always given, as clients look for them in plain LIST answers.
func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 || (len(patterns) == 1 && patterns[0] == "") {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: delim})
	}
	entries, err := s.listEntries()
	if err != nil {
		return err
	}
	subs, err := s.b.uids.Subscriptions(s.ctx, s.b.account)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !matchAny(e.name, ref, patterns) {
			continue
		}
		data, ok := s.listData(e, entries, subs, options)
		if !ok {
			continue
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

func matchAny(name, ref string, patterns []string) bool {
	for _, p := range patterns {
		if imapserver.MatchList(name, delim, ref, p) {
			return true
		}
	}
	return false
}

// listEntries returns the folders of the account with the levels above
// them that are not folders, sorted by name (INBOX first).
func (s *session) listEntries() ([]listEntry, error) {
	folders, err := s.b.store.Folders(s.ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]listEntry{}
	for _, f := range folders {
		if f.Ref.Account != s.b.account {
			continue
		}
		name := mailboxName(f.Ref)
		byName[name] = listEntry{name: name, role: f.Role, exists: true}
		for i := strings.IndexByte(name, delim); i > 0; i = nextDelim(name, i) {
			if _, ok := byName[name[:i]]; !ok {
				byName[name[:i]] = listEntry{name: name[:i]}
			}
		}
	}
	out := make([]listEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].name == inbox) != (out[j].name == inbox) {
			return out[i].name == inbox
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

func nextDelim(name string, i int) int {
	if j := strings.IndexByte(name[i+1:], delim); j >= 0 {
		return i + 1 + j
	}
	return -1
}

// listData is the LIST line of an entry; false when options leave it out.
func (s *session) listData(e listEntry, all []listEntry, subs map[string]mailstore.Subscription, options *imap.ListOptions) (*imap.ListData, bool) {
	subscribed := subs[e.name] == mailstore.Subscribed || e.exists && subs[e.name] == mailstore.SubscriptionDefault
	use := specialUse(e.role)
	if options.SelectSubscribed && !subscribed || options.SelectSpecialUse && use == "" {
		return nil, false
	}
	data := &imap.ListData{Mailbox: e.name, Delim: delim}
	if !e.exists {
		data.Attrs = append(data.Attrs, imap.MailboxAttrNoSelect)
	}
	if hasChildren(e.name, all) {
		data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
	} else {
		data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
	}
	if subscribed && (options.SelectSubscribed || options.ReturnSubscribed) {
		data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
	}
	if use != "" {
		data.Attrs = append(data.Attrs, use)
	}
	if options.ReturnStatus != nil && e.exists {
		if st, err := s.Status(e.name, options.ReturnStatus); err == nil {
			data.Status = st
		}
	}
	return data, true
}

func hasChildren(name string, all []listEntry) bool {
	for _, e := range all {
		if strings.HasPrefix(e.name, name+string(delim)) {
			return true
		}
	}
	return false
}
