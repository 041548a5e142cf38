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
	Name       string // server name, '/' as the hierarchy separator
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
	f := Folder{Name: d.Mailbox}
	if d.Delim != 0 && d.Delim != '/' {
		f.Name = strings.ReplaceAll(d.Mailbox, string(d.Delim), "/")
	}
	if strings.EqualFold(f.Name, "INBOX") {
		f.Name, f.Role = "INBOX", mailstore.RoleInbox
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

// listFolders runs LIST "" "*" (RETURN (SPECIAL-USE SUBSCRIBED) where
// LIST-EXTENDED is offered) and creates the folders in the store.
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
		f := folderFromList(d)
		if f.NoSelect {
			continue
		}
		if s.opt.Store != nil { // nil for `facteur account test`
			if err := s.opt.Store.CreateFolder(ctx, s.ref(f.Name), f.Role); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	if s.opt.State == nil {
		return out, nil
	}
	return out, s.opt.State.setSubscriptions(ctx, s.acct.Name, out, opt != nil)
}

// remoteName turns a mailstore folder name back into the server's.
func remoteName(name string) string { return name }
