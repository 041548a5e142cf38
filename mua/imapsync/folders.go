package imapsync

import (
	"context"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// Folder is a folder of the server.
type Folder struct {
	// Name is the local name: the mailstore folder, '/' between levels,
	// the personal namespace prefix left out (see names.go).
	Name string
	// Remote is the server's mailbox name, as LIST gave it: every command
	// sent to the server names the folder with it.
	Remote     string
	Delim      rune // the server's hierarchy delimiter; 0 for none
	Role       mailstore.Role
	Subscribed bool
	NoSelect   bool
}

// roles maps RFC 6154 special-use attributes to mailstore roles.
var roles = map[imap.MailboxAttr]mailstore.Role{
	imap.MailboxAttrSent:    mailstore.RoleSent,
	imap.MailboxAttrDrafts:  mailstore.RoleDrafts,
	imap.MailboxAttrTrash:   mailstore.RoleTrash,
	imap.MailboxAttrJunk:    mailstore.RoleJunk,
	imap.MailboxAttrArchive: mailstore.RoleArchive,
}

// folderFromList reads one LIST reply.
func folderFromList(d *imap.ListData) Folder {
	f := Folder{Name: d.Mailbox, Remote: d.Mailbox, Delim: d.Delim}
	if strings.EqualFold(f.Remote, "INBOX") {
		f.Name, f.Remote, f.Role = "INBOX", "INBOX", mailstore.RoleInbox
	}
	for _, a := range d.Attrs {
		if r, ok := roles[a]; ok && f.Role == "" {
			f.Role = r
		}
		switch a {
		case imap.MailboxAttrNoSelect, imap.MailboxAttrNonExistent:
			f.NoSelect = true
		case imap.MailboxAttrSubscribed:
			f.Subscribed = true
		}
	}
	if d.ChildInfo != nil && d.ChildInfo.Subscribed {
		f.Subscribed = true
	}
	return f
}

// Folders lists the server's folders with their roles.
func (s *Syncer) Folders(ctx context.Context) ([]Folder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	return s.listFolders(ctx, c)
}

// namedRoles gives the roles that no special-use attribute gave (a server
// without SPECIAL-USE, such as Courier-IMAP, or a folder it did not mark)
// to the top-level folders with their usual names, in several languages
// (mailstore.RoleForName: "Sent", "Envoyés", "Gesendet"...), the first
// one listed for each role.
func namedRoles(list []Folder) {
	have := map[mailstore.Role]bool{}
	for _, f := range list {
		have[f.Role] = true
	}
	for i := range list {
		f := &list[i]
		if f.Role != "" || strings.Contains(f.Name, "/") {
			continue
		}
		switch r := mailstore.RoleForName(f.Name); r {
		case mailstore.RoleNone, mailstore.RoleInbox, mailstore.RoleOutbox:
		default:
			if !have[r] {
				f.Role, have[r] = r, true
			}
		}
	}
}

// listFolders runs LIST "" "*" (RETURN (SPECIAL-USE SUBSCRIBED) where
// LIST-EXTENDED is offered) and NAMESPACE, and gives the folders their
// local names (nameFolders). The local folders are made when they are
// synced (syncFolder), so that a folder the server lists but will not
// open leaves nothing behind.
func (s *Syncer) listFolders(ctx context.Context, c *imapclient.Client) ([]Folder, error) {
	var opt *imap.ListOptions
	if c.Caps().Has(imap.CapListExtended) || c.Caps().Has(imap.CapIMAP4rev2) {
		opt = &imap.ListOptions{ReturnSubscribed: true}
		if c.Caps().Has(imap.CapSpecialUse) || c.Caps().Has(imap.CapIMAP4rev2) {
			opt.ReturnSpecialUse = true
		}
	}
	list, err := c.List("", "*", opt).Collect()
	if err != nil {
		return nil, wrap(ctx, "LIST", err)
	}
	var out []Folder
	for _, d := range list {
		if f := folderFromList(d); !f.NoSelect {
			out = append(out, f)
		}
	}
	if s.opt.State == nil { // `facteur account test`
		return out, nil
	}
	ns, err := personalNamespace(ctx, c)
	if err != nil {
		return nil, err
	}
	if ns.Delim == 0 && len(out) > 0 {
		ns.Delim = out[0].Delim
	}
	if err := s.opt.State.setNamespace(ctx, s.acct.Name, ns); err != nil {
		return nil, err
	}
	if err := s.nameFolders(ctx, out, ns); err != nil {
		return nil, err
	}
	namedRoles(out)
	return out, s.opt.State.setSubscriptions(ctx, s.acct.Name, out, opt != nil)
}
