package imapsync

import (
	"context"
	"database/sql"
	"errors"
)

// columns added to the state since its first version, created in an older
// state.sqlite by addColumns.
var columns = []struct{ table, name, def, fill string }{
	{"folders", "uidnext", "INTEGER NOT NULL DEFAULT 0", ""},
	{"folders", "subscribed", "INTEGER", ""}, // NULL: the server did not say
	// 1 while the folder's messages are matched again after a change of
	// its UIDVALIDITY (see revalidate)
	{"folders", "revalidate", "INTEGER NOT NULL DEFAULT 0", ""},
	// the UIDVALIDITY the action's UID belongs to; an older journal's
	// actions belong to the one their folder has now
	{"journal", "validity", "INTEGER NOT NULL DEFAULT 0", `UPDATE journal SET validity = coalesce((SELECT uidvalidity
		FROM folders WHERE folders.account = journal.account AND folders.name = journal.folder), 0)`},
	{"folders", "remote", "TEXT", ""}, // NULL: a row of before remote names (see mailboxes.go)
	// the keywords of the message on the server (keywords.go); the flags
	// of every folder are fetched again once (no HIGHESTMODSEQ), so that
	// the keywords the server had before are kept locally too
	{"uids", "keys", "TEXT NOT NULL DEFAULT ''", `UPDATE folders SET modseq = 0`},
	// the keywords an action adds and removes
	{"journal", "addk", "TEXT NOT NULL DEFAULT ''", ""},
	{"journal", "delk", "TEXT NOT NULL DEFAULT ''", ""},
}

// addColumns adds the missing columns of the state's tables (of those
// there: uids, the UID map of before fids, is in older states only).
func addColumns(ctx context.Context, db *sql.DB) error {
	for _, col := range columns {
		ok, err := hasColumn(ctx, db, col.table, col.name)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		there, err := hasTable(ctx, db, col.table)
		if err != nil {
			return err
		}
		if !there {
			continue
		}
		if err := addColumn(ctx, db, col.table, col.name, col.def, col.fill); err != nil {
			if ok, _ := hasColumn(ctx, db, col.table, col.name); !ok { // not added meanwhile by another process
				return err
			}
		}
	}
	return nil
}

// addColumn adds a column and runs fill, in one transaction.
func addColumn(ctx context.Context, db *sql.DB, table, name, def, fill string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `ALTER TABLE `+table+` ADD COLUMN `+name+` `+def); err != nil {
		return err
	}
	if fill != "" {
		if _, err := tx.ExecContext(ctx, fill); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func hasTable(ctx context.Context, db *sql.DB, table string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n)
	return n > 0, err
}

// migrateUIDs moves the UID map of an older state (uids: keyed by
// account, folder and UID, the keywords' column added by addColumns) into
// fids and uidmap, every row as it was, and drops it, in one transaction.
// A row there already (an older Facteur ran on this state after a newer
// one, and made uids again) gives way to the older Facteur's, written
// since.
func migrateUIDs(ctx context.Context, db *sql.DB) error {
	if old, err := hasTable(ctx, db, "uids"); err != nil || !old {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT OR IGNORE INTO fids(account, folder) SELECT DISTINCT account, folder FROM uids ORDER BY account, folder`,
		`INSERT OR REPLACE INTO uidmap(fuid, id, flags, keys) SELECT f.fid << 32 | u.uid, u.id, u.flags, u.keys
			FROM uids u JOIN fids f ON f.account = u.account AND f.folder = u.folder`,
		`DROP TABLE uids`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func hasColumn(ctx context.Context, db *sql.DB, table, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, name).Scan(&n)
	return n > 0, err
}

// checkStore compares the store's index id (mailstore.Store.IndexID) with
// the one the UID maps were made with. When they differ, the index was
// rebuilt and its message ids mean other messages: every UID map is
// dropped, with the HIGHESTMODSEQ and UIDNEXT that vouch for them, so that
// the next sync of each folder matches the local messages again by
// Message-ID (adoption, see fetchNew) without downloading them. The
// first id seen is recorded. It tells whether the maps were dropped.
func (s *State) checkStore(ctx context.Context, indexID string) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var seen string
	err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'store_index'`).Scan(&seen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if seen == indexID {
		return false, nil
	}
	stmts := []string{`INSERT OR REPLACE INTO meta(key, value) VALUES('store_index', ?)`}
	if seen != "" {
		// the journal's ids go too: a COPY replayed then maps nothing, and
		// the copy is adopted by Message-ID like the rest
		stmts = append(stmts, `DELETE FROM uidmap`, `UPDATE folders SET modseq = 0, uidnext = 0`, `UPDATE journal SET id = 0`)
	}
	for i, q := range stmts {
		var args []any
		if i == 0 {
			args = []any{indexID}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return false, err
		}
	}
	return seen != "", tx.Commit()
}
