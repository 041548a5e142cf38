package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"facteur/internal/atomicfile"
	"facteur/mailstore/mbox"
)

// Export writes the messages of a folder to an mboxrd file, oldest first. The
// file is written under a temporary name and renamed when complete. It
// returns the number of messages written.
func (s *Store) Export(ctx context.Context, folder FolderRef, path string) (int, error) {
	var n int
	err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		var err error
		n, err = s.ExportMbox(ctx, folder, w)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// exportItem is what the From_ line of a message needs.
type exportItem struct {
	id       int64
	mailFrom sql.NullString
	from     string
	arrived  int64
}

// ExportMbox writes the messages of a folder to w as mboxrd, oldest first.
// The From_ line carries the envelope sender when known, else the From
// address, and the arrival time. Messages whose file vanished are skipped.
func (s *Store) ExportMbox(ctx context.Context, folder FolderRef, w io.Writer) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	fi, err := s.folder(folder)
	if err != nil {
		return 0, err
	}
	items, err := s.exportItems(ctx, fi)
	if err != nil {
		return 0, err
	}
	mw := mbox.NewWriter(w)
	n := 0
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		ok, err := s.exportOne(ctx, mw, it)
		if err != nil {
			return n, fmt.Errorf("mailstore: exporting message %d: %w", it.id, err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (s *Store) exportItems(ctx context.Context, fi *folderInfo) ([]exportItem, error) {
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT id, mail_from, addr_from, arrived FROM headers
		WHERE folder = ? ORDER BY date, id`, fi.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []exportItem
	for rows.Next() {
		var it exportItem
		if err := rows.Scan(&it.id, &it.mailFrom, &it.from, &it.arrived); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

func (s *Store) exportOne(ctx context.Context, mw *mbox.Writer, it exportItem) (bool, error) {
	f, err := s.Open(ctx, it.id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	sender := it.mailFrom.String
	if sender == "" {
		if from := decodeAddrs(it.from); len(from) > 0 && from[0].Addr != "" {
			sender = from[0].Addr
		}
	}
	if sender == "" {
		sender = "MAILER-DAEMON"
	}
	return true, mw.Write(sender, time.Unix(it.arrived, 0).UTC(), f)
}
