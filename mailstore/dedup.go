package mailstore

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"facteur/internal/eol"
)

// contentHash is what tells two copies of a message apart: the SHA-256 of
// its bytes as stored, in their LF form (a file another program wrote with
// CRLF hashes as Facteur's copy of it). The index keeps it per message
// (column hash), so that an import skips what the folder already holds.
func contentHash(data []byte) []byte {
	h := sha256.Sum256(eol.ToLF(data))
	return h[:]
}

// dedup is the set of the content hashes of a folder during an import:
// those of its messages, and those this import claimed.
type dedup struct {
	mu   sync.Mutex
	seen map[[sha256.Size]byte]struct{}
}

// claim reports whether h is new, and records it.
func (d *dedup) claim(h []byte) bool {
	k := [sha256.Size]byte(h)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.seen[k]; dup {
		return false
	}
	d.seen[k] = struct{}{}
	return true
}

// release forgets a claim whose message could not be stored.
func (d *dedup) release(h []byte) {
	d.mu.Lock()
	delete(d.seen, [sha256.Size]byte(h))
	d.mu.Unlock()
}

// folderHashes returns the content hashes of the messages of a folder,
// computing those the index lacks first (fillHashes).
func (s *Store) folderHashes(ctx context.Context, fi *folderInfo) (*dedup, error) {
	if err := s.fillHashes(ctx, fi); err != nil {
		return nil, err
	}
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT hash FROM headers WHERE folder = ? AND hash IS NOT NULL`, fi.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	d := &dedup{seen: map[[sha256.Size]byte]struct{}{}}
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		if len(h) == sha256.Size {
			d.seen[[sha256.Size]byte(h)] = struct{}{}
		}
	}
	return d, rows.Err()
}

// missingHash is a message of an index made before the hash column.
type missingHash struct {
	id   int64
	path string
}

// fillHashes computes the content hashes of the messages of a folder that
// have none (indexed by a version of Facteur before the column), reading
// their files; a file gone meanwhile is left to the next rescan.
func (s *Store) fillHashes(ctx context.Context, fi *folderInfo) error {
	rows, err := s.ix.rdb.QueryContext(ctx, `SELECT id, sub, key, info FROM messages WHERE folder = ? AND hash IS NULL`, fi.id)
	if err != nil {
		return err
	}
	var todo []missingHash
	for rows.Next() {
		var m missingHash
		var sub, key, info string
		if err := rows.Scan(&m.id, &sub, &key, &info); err != nil {
			rows.Close()
			return err
		}
		m.path = filepath.Join(fi.dir, sub, makeFileName(key, info).name())
		todo = append(todo, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for len(todo) > 0 {
		n := min(len(todo), batchSize)
		if err := s.storeHashes(ctx, todo[:n]); err != nil {
			return err
		}
		todo = todo[n:]
	}
	return nil
}

func (s *Store) storeHashes(ctx context.Context, list []missingHash) error {
	hashes := make([][]byte, len(list))
	for i, m := range list {
		data, _, err := readFile(m.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		hashes[i] = contentHash(data)
	}
	b, err := s.beginBatch(ctx)
	if err != nil {
		return err
	}
	for i, m := range list {
		if hashes[i] == nil {
			continue
		}
		if _, err := b.tx.Exec(`UPDATE headers SET hash = ? WHERE id = ?`, hashes[i], m.id); err != nil {
			b.rollback()
			return err
		}
	}
	_, err = b.commit()
	return err
}

// heldElsewhere reports whether the folder holds a message with the
// content of r under another file: one that another process stored while
// this import ran.
func (b *batch) heldElsewhere(r *row) (bool, error) {
	var n int
	err := b.tx.QueryRow(`SELECT count(*) FROM headers WHERE folder = ? AND hash = ? AND key <> ?`,
		r.folder.id, r.hash, r.name.Key).Scan(&n)
	return n > 0, err
}

// discard removes the file of an imported message that could not be
// indexed, so that no file is left that the index does not list (a rescan
// would add it, and the import run again would store it a second time).
func (s *Store) discard(r *row) {
	if r.written {
		os.Remove(filepath.Join(r.folder.dir, r.sub, r.name.name()))
	}
	s.unpend([]*row{r})
}
