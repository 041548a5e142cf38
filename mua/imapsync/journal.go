package imapsync

import (
	"context"

	"facteur/mailstore"
)

// The operations of the journal.
const (
	opFlags  = "flags"  // UID STORE +FLAGS/-FLAGS
	opMove   = "move"   // UID MOVE to Dest
	opCopy   = "copy"   // UID COPY to Dest; ID is the local copy
	opDelete = "delete" // UID STORE +FLAGS \Deleted, UID EXPUNGE
	opAppend = "append" // APPEND the local message ID to the folder that holds it (adopt.go)
)

// action is one local change waiting for the server.
type action struct {
	Seq      int64
	Op       string
	Folder   string // local folder name (of the UID; "" for opAppend)
	UID      uint32
	ID       int64
	Add, Del mailstore.Flags
	// AddK and DelK are the keywords added and removed (key sets).
	AddK, DelK string
	Dest       string
	// Validity is the folder's UIDVALIDITY that UID belongs to: when the
	// server's differs, the action waits until the folder's messages are
	// matched again (revalidate), which gives it its new UID.
	Validity uint32
}

// enqueue writes an action, with the UIDVALIDITY of its folder's UID map.
func (s *State) enqueue(ctx context.Context, account string, a action) error {
	return s.durable(ctx, `INSERT INTO journal(account, op, folder, uid, id, addf, delf, addk, delk, dest, validity)
		VALUES(?,?,?,?,?,?,?,?,?,?, coalesce((SELECT uidvalidity FROM folders WHERE account=? AND name=?), 0))`,
		account, a.Op, a.Folder, a.UID, a.ID, a.Add, a.Del, a.AddK, a.DelK, a.Dest, account, a.Folder)
}

// pending returns the journal of an account in order.
func (s *State) pending(ctx context.Context, account string) ([]action, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, op, folder, uid, id, addf, delf, addk, delk, dest, validity
		FROM journal WHERE account=? ORDER BY seq`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []action
	for rows.Next() {
		var a action
		if err := rows.Scan(&a.Seq, &a.Op, &a.Folder, &a.UID, &a.ID, &a.Add, &a.Del, &a.AddK, &a.DelK, &a.Dest, &a.Validity); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// retarget gives an action the UID its message has under a new
// UIDVALIDITY.
func (s *State) retarget(ctx context.Context, seq int64, uid, validity uint32) error {
	return s.durable(ctx, `UPDATE journal SET uid=?, validity=? WHERE seq=?`, uid, validity, seq)
}

func (s *State) done(ctx context.Context, seq int64) error {
	return s.durable(ctx, `DELETE FROM journal WHERE seq=?`, seq)
}

// Pending counts the local actions not yet on the server.
func (s *State) Pending(ctx context.Context, account string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM journal WHERE account=?`, account).Scan(&n)
	return n, err
}
