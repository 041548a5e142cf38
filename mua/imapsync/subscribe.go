package imapsync

import (
	"context"
	"database/sql"

	"github.com/emersion/go-imap/v2/imapclient"
)

// Subscriptions returns, for the folders of an account that the server
// listed at the last sync, whether the user subscribed to them (LIST
// \Subscribed, RFC 9051 §6.3.9 and RFC 5258): a folder list may hide the
// others. INBOX is always subscribed. A folder missing from the map is
// either local or of a server that does not tell (no LIST-EXTENDED): show
// it.
func (s *State) Subscriptions(ctx context.Context, account string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, subscribed FROM folders
		WHERE account = ? AND subscribed IS NOT NULL`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		var sub bool
		if err := rows.Scan(&name, &sub); err != nil {
			return nil, err
		}
		out[name] = sub
	}
	return out, rows.Err()
}

// setSubscriptions records the subscribed state of the folders that LIST
// gave; told is false when the server did not say (every folder's state
// becomes unknown). Folders of the account that LIST no longer gave
// become unknown too.
func (s *State) setSubscriptions(ctx context.Context, account string, folders []Folder, told bool) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE folders SET subscribed = NULL WHERE account = ?`, account); err != nil {
		return err
	}
	if told {
		if err := putSubscriptions(ctx, tx, account, folders); err != nil {
			return err
		}
	}
	return tx.Commit()
}

const upsertSubscribed = `INSERT INTO folders(account, name, subscribed) VALUES(?,?,?)
	ON CONFLICT(account, name) DO UPDATE SET subscribed = excluded.subscribed`

func putSubscriptions(ctx context.Context, tx *sql.Tx, account string, folders []Folder) error {
	st, err := tx.PrepareContext(ctx, upsertSubscribed)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, f := range folders {
		if _, err := st.ExecContext(ctx, account, f.Name, f.Subscribed || f.Name == "INBOX"); err != nil {
			return err
		}
	}
	return nil
}

// Subscriptions is State.Subscriptions for the Syncer's account.
func (s *Syncer) Subscriptions(ctx context.Context) (map[string]bool, error) {
	return s.opt.State.Subscriptions(ctx, s.acct.Name)
}

// Subscribe subscribes to a folder of the server, or unsubscribes from it
// (SUBSCRIBE, UNSUBSCRIBE: RFC 9051 §6.3.7, §6.3.8), and records it. It
// uses the connection of FetchBody, so it does not wait for a sync.
func (s *Syncer) Subscribe(ctx context.Context, folder string, subscribe bool) error {
	remote, err := s.remoteOf(ctx, folder)
	if err != nil {
		return err
	}
	err = s.onDemand(ctx, func(c *imapclient.Client) error {
		if subscribe {
			return wrap(ctx, "SUBSCRIBE", c.Subscribe(remote).Wait())
		}
		return wrap(ctx, "UNSUBSCRIBE", c.Unsubscribe(remote).Wait())
	})
	if err != nil {
		return err
	}
	_, err = s.opt.State.db.ExecContext(ctx, upsertSubscribed, s.acct.Name, folder, subscribe || folder == "INBOX")
	return err
}
