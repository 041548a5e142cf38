package imapsync

import (
	"context"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Servers with few extensions. Without MOVE (RFC 6851), a move is UID COPY
// then the removal of the originals; without UIDPLUS (RFC 4315) there is
// no UID EXPUNGE, and EXPUNGE removes every message of the folder marked
// \Deleted, those that the user's other mail programs marked and keep
// until they expunge them too. So before the EXPUNGE the other \Deleted
// messages (UID SEARCH DELETED) lose \Deleted, and get it back after: only
// Facteur's messages go. A drop between the two leaves them without
// \Deleted, never expunged.

// expungeUIDs removes messages of the selected folder for good.
func (s *Syncer) expungeUIDs(ctx context.Context, c *imapclient.Client, uids imap.UIDSet) error {
	if err := storeFlag(c, uids, imap.StoreFlagsAdd, imap.FlagDeleted); err != nil {
		return wrap(ctx, "UID STORE", err)
	}
	if hasUIDPlus(c) {
		return wrap(ctx, "UID EXPUNGE", c.UIDExpunge(uids).Close())
	}
	others, err := deletedOthers(c, uids)
	if err != nil {
		return wrap(ctx, "UID SEARCH DELETED", err)
	}
	if len(others) > 0 {
		if err := storeFlag(c, others, imap.StoreFlagsDel, imap.FlagDeleted); err != nil {
			return wrap(ctx, "UID STORE", err)
		}
	}
	if err := c.Expunge().Close(); err != nil {
		return wrap(ctx, "EXPUNGE", err)
	}
	if len(others) > 0 {
		return wrap(ctx, "UID STORE", storeFlag(c, others, imap.StoreFlagsAdd, imap.FlagDeleted))
	}
	return nil
}

// deletedOthers lists the messages of the selected folder marked \Deleted,
// but uids.
func deletedOthers(c *imapclient.Client, uids imap.UIDSet) (imap.UIDSet, error) {
	data, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		return nil, err
	}
	var others imap.UIDSet
	for _, u := range data.AllUIDs() {
		if !uids.Contains(u) {
			others.AddNum(u)
		}
	}
	return others, nil
}

func storeFlag(c *imapclient.Client, uids imap.UIDSet, op imap.StoreFlagsOp, f imap.Flag) error {
	return c.Store(uids, &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{f}}, nil).Close()
}

// moveUIDs moves messages of the selected folder to the remote folder
// dest: UID MOVE, or UID COPY and expungeUIDs. The data tell the new UIDs
// when the server gives them (COPYUID, RFC 4315).
func (s *Syncer) moveUIDs(ctx context.Context, c *imapclient.Client, uids imap.UIDSet, dest string) (imap.NumSet, error) {
	if c.Caps().Has(imap.CapMove) {
		data, err := c.Move(uids, dest).Wait()
		if err != nil || data == nil {
			return nil, wrap(ctx, "UID MOVE", err)
		}
		return data.DestUIDs, nil
	}
	data, err := c.Copy(uids, dest).Wait()
	if err != nil {
		return nil, wrap(ctx, "UID COPY", err)
	}
	return data.DestUIDs, s.expungeUIDs(ctx, c, uids)
}
