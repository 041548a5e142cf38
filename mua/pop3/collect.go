package pop3

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"facteur/internal/filelock"
	"facteur/mailstore"
	"facteur/mua/account"
)

// CollectOptions configure Collect.
type CollectOptions struct {
	Options
	// Store receives the messages. Required.
	Store *mailstore.Store
	// Folder is where they go; the zero value means ACCOUNT/INBOX.
	Folder mailstore.FolderRef
	// StateDir is the profile directory that keeps the collected
	// unique-ids and their copies' ids (StateDir/pop3/ACCOUNT.uidl).
	// Required.
	StateDir string
	// Progress, when set, is called after each message.
	Progress func(mailstore.Progress)
	// Waiting, when set, is told when Collect must wait for another
	// collection of the account (another process) to end.
	Waiting func()
	// Now gives the time; nil means time.Now (tests set it for
	// DeleteAfterDays).
	Now func() time.Time
}

// CollectStats count what Collect did.
type CollectStats struct {
	New     int   // messages downloaded and stored
	Deleted int   // messages deleted from the server
	Kept    int   // messages left on the server
	Bytes   int64 // bytes downloaded
}

// Collect logs in to the account's POP3 server and stores every message not
// collected before into the mailstore, then deletes from the server what
// the account's options say and quits. When ctx ends or the connection
// drops, what was stored stays stored and recorded, and nothing is deleted.
// password is the access token of an OAuth2 account (LoginAccount).
func Collect(ctx context.Context, acct account.Account, password string, opt CollectOptions) (CollectStats, error) {
	if opt.Store == nil || opt.StateDir == "" {
		return CollectStats{}, errors.New("pop3: Collect needs a Store and a StateDir")
	}
	// one collection of an account at a time, in any process: two would
	// both download the new messages
	lock, err := filelock.Acquire(ctx, strings.TrimSuffix(statePath(opt.StateDir, acct.Name), ".uidl")+".lock", opt.Waiting)
	if err != nil {
		return CollectStats{}, err
	}
	defer lock.Unlock()
	c, err := Dial(ctx, acct.Incoming, opt.Options)
	if err != nil {
		return CollectStats{}, err
	}
	defer c.Close()
	if err := c.LoginAccount(ctx, acct, password); err != nil {
		return CollectStats{}, err
	}
	index, err := opt.Store.IndexID(ctx)
	if err != nil {
		return CollectStats{}, err
	}
	st, err := loadState(statePath(opt.StateDir, acct.Name), index)
	if err != nil {
		return CollectStats{}, err
	}
	defer st.close()
	col := &collector{c: c, acct: acct, opt: opt, st: st}
	if err := col.run(ctx); err != nil {
		return col.stats, err
	}
	return col.stats, c.Quit(ctx)
}

type collector struct {
	c     *Client
	acct  account.Account
	opt   CollectOptions
	st    *seenState
	stats CollectStats
	trash map[mailstore.FolderRef]bool // the Trash folders, read on first use
}

func (col *collector) now() time.Time {
	if col.opt.Now != nil {
		return col.opt.Now()
	}
	return time.Now()
}

func (col *collector) folder() mailstore.FolderRef {
	if col.opt.Folder != (mailstore.FolderRef{}) {
		return col.opt.Folder
	}
	return mailstore.FolderRef{Account: col.acct.Name, Name: "INBOX"}
}

func (col *collector) run(ctx context.Context) error {
	uids, err := col.c.UIDL(ctx)
	var perr *Error
	if errors.As(err, &perr) {
		return ErrNoUIDL
	}
	if err != nil {
		return err
	}
	sizes, err := col.c.List(ctx)
	if err != nil {
		return err
	}
	if err := col.opt.Store.CreateFolder(ctx, col.folder(), mailstore.RoleInbox); err != nil {
		return err
	}
	todo, total := col.plan(uids, sizes)
	onServer := map[string]bool{}
	for _, u := range uids {
		onServer[u.UID] = true
		if err := col.one(ctx, u, todo, total); err != nil {
			return err
		}
	}
	return col.st.compact(onServer)
}

// plan returns the messages to download and their total.
func (col *collector) plan(uids []UniqueID, sizes []MessageSize) (map[int]int64, mailstore.Progress) {
	size := map[int]int64{}
	for _, s := range sizes {
		size[s.Num] = s.Size
	}
	todo := map[int]int64{}
	var p mailstore.Progress
	for _, u := range uids {
		if _, seen := col.st.seen[u.UID]; !seen {
			todo[u.Num] = size[u.Num]
			p.Total++
			p.TotalBytes += size[u.Num]
		}
	}
	return todo, p
}

// one downloads message u if new, then deletes it if the options say so.
func (col *collector) one(ctx context.Context, u UniqueID, todo map[int]int64, total mailstore.Progress) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := todo[u.Num]; ok {
		if err := col.fetch(ctx, u); err != nil {
			return err
		}
		col.report(total)
	}
	del, err := col.expired(ctx, u.UID)
	if err != nil {
		return err
	}
	if !del {
		col.stats.Kept++
		return nil
	}
	if err := col.c.Dele(ctx, u.Num); err != nil {
		return err
	}
	col.stats.Deleted++
	return nil
}

func (col *collector) fetch(ctx context.Context, u UniqueID) error {
	var id int64
	err := col.c.Retr(ctx, u.Num, func(r io.Reader) error {
		cr := &countReader{r: r}
		sum, err := col.opt.Store.Add(ctx, col.folder(), cr, mailstore.AddOptions{})
		col.stats.Bytes += cr.n
		id = sum.ID
		return err
	})
	if err != nil {
		return err
	}
	col.stats.New++
	// stored and fsynced (mailstore.Add), then recorded and fsynced: only
	// then may expired let the message be deleted from the server
	return col.st.add(u.UID, seenMsg{at: col.now(), id: id})
}

// expired tells whether a collected message is to be deleted from the server.
func (col *collector) expired(ctx context.Context, uid string) (bool, error) {
	m, seen := col.st.seen[uid]
	o := col.acct.Options
	switch {
	case !seen:
		return false, nil
	case o.DeleteAfterDownload:
		return true, nil
	case o.DeleteAfterDays > 0 && !col.now().Before(m.at.AddDate(0, 0, o.DeleteAfterDays)):
		return true, nil
	case o.DeleteWhenDeleted && m.id != 0:
		return col.deletedHere(ctx, m.id)
	}
	return false, nil
}

// deletedHere tells whether the user deleted the copy id of a collected
// message: it is gone from the store, or in a Trash folder.
func (col *collector) deletedHere(ctx context.Context, id int64) (bool, error) {
	sum, err := col.opt.Store.Get(ctx, id)
	if errors.Is(err, mailstore.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if col.trash == nil {
		if col.trash, err = trashFolders(ctx, col.opt.Store); err != nil {
			return false, err
		}
	}
	return col.trash[sum.Folder], nil
}

// trashFolders are the store's folders with the Trash role.
func trashFolders(ctx context.Context, s *mailstore.Store) (map[mailstore.FolderRef]bool, error) {
	folders, err := s.Folders(ctx)
	if err != nil {
		return nil, err
	}
	out := map[mailstore.FolderRef]bool{}
	for _, f := range folders {
		if f.Role == mailstore.RoleTrash {
			out[f.Ref] = true
		}
	}
	return out, nil
}

func (col *collector) report(total mailstore.Progress) {
	if col.opt.Progress == nil {
		return
	}
	total.Done = col.stats.New
	total.Bytes = col.stats.Bytes
	col.opt.Progress(total)
}
