package mailstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"facteur/mailstore/mbox"
)

// importWorkers deliver and parse in parallel: many more workers than cores,
// as each delivery waits for its fsync and a file system journals concurrent
// fsyncs together (measured here: 1,100 files/s with 1 to 8 writers, 4,500
// with 64).
func importWorkers() int { return 4*runtime.GOMAXPROCS(0) + 24 }

// Import imports an mbox file (mboxo or mboxrd), a Maildir directory (its cur
// and new messages, flags kept) or a single message file (.eml) into folder,
// created if missing. It streams: memory stays flat whatever the size.
// Messages whose content the folder holds already are skipped, so that an
// import run twice, or again after a failure, stores each message once
// (ImportWith stores them all if asked). Messages are written in batches,
// each file indexed before Import returns; when ctx ends, what was
// imported stays (indexed and on disk) and the error is ctx's. When a
// message cannot be stored (a full disk), the import stops, and the
// messages written but not yet indexed are removed: the stats count
// exactly what the folder gained.
func (s *Store) Import(ctx context.Context, folder FolderRef, path string, progress func(Progress)) (ImportStats, error) {
	return s.ImportWith(ctx, folder, path, ImportOptions{Progress: progress})
}

// ImportWith is Import with options.
func (s *Store) ImportWith(ctx context.Context, folder FolderRef, path string, opt ImportOptions) (ImportStats, error) {
	if err := s.enterWrite(); err != nil {
		return ImportStats{}, err
	}
	defer s.leave()
	st, err := os.Stat(path)
	if err != nil {
		return ImportStats{}, err
	}
	im, err := s.newImport(ctx, folder, opt)
	if err != nil {
		return ImportStats{}, err
	}
	if st.IsDir() {
		if !isMaildir(path) {
			return ImportStats{}, fmt.Errorf("%w: %s is a directory but not a Maildir", ErrUnknownFormat, path)
		}
		return im.maildir(ctx, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportStats{}, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	switch sniff(br) {
	case formatMbox:
		return im.mbox(ctx, br, st.Size())
	case formatMessage:
		return im.message(ctx, br, st)
	}
	return ImportStats{}, fmt.Errorf("%w: %s", ErrUnknownFormat, path)
}

// ImportMbox imports an mbox stream (mboxo or mboxrd) into folder, created if
// missing. See Import.
func (s *Store) ImportMbox(ctx context.Context, folder FolderRef, r io.Reader, progress func(Progress)) (ImportStats, error) {
	if err := s.enterWrite(); err != nil {
		return ImportStats{}, err
	}
	defer s.leave()
	im, err := s.newImport(ctx, folder, ImportOptions{Progress: progress})
	if err != nil {
		return ImportStats{}, err
	}
	return im.mbox(ctx, r, 0)
}

// importer is one import into a folder.
type importer struct {
	s     *Store
	fi    *folderInfo
	dedup *dedup // nil: duplicates allowed
	opt   ImportOptions
}

// newImport makes the folder if needed and reads the content hashes of
// its messages, unless duplicates are allowed.
func (s *Store) newImport(ctx context.Context, folder FolderRef, opt ImportOptions) (*importer, error) {
	fi, err := s.ensureFolder(ctx, folder, RoleNone)
	if err != nil {
		return nil, err
	}
	im := &importer{s: s, fi: fi, opt: opt}
	if !opt.AllowDuplicates {
		if im.dedup, err = s.folderHashes(ctx, fi); err != nil {
			return nil, fmt.Errorf("mailstore: reading the messages of %s: %w", folder, err)
		}
	}
	return im, nil
}

type format int

const (
	formatUnknown format = iota
	formatMbox
	formatMessage
)

// sniff tells an mbox (a From_ line first, blank lines apart) from a message
// (a header field first).
func sniff(br *bufio.Reader) format {
	head, _ := br.Peek(4096)
	head = bytes.TrimLeft(head, "\r\n")
	if bytes.HasPrefix(head, []byte("From ")) {
		return formatMbox
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 {
		return formatUnknown
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return formatUnknown
		}
	}
	return formatMessage
}

// mbox streams an mbox through the indexing pipeline.
func (im *importer) mbox(ctx context.Context, r io.Reader, total int64) (ImportStats, error) {
	fi := im.fi
	mr := mbox.NewReader(r)
	produce := func(ctx context.Context, emit func(*job) bool) error {
		for ctx.Err() == nil {
			m, err := mr.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			data, err := io.ReadAll(m.Body)
			if err != nil {
				return err
			}
			date := m.Date
			if date.IsZero() {
				date = time.Now()
			}
			if !emit(&job{folder: fi, data: data, sender: m.Sender, date: date, offset: mr.Offset()}) {
				break
			}
		}
		return ctx.Err()
	}
	return im.run(ctx, produce, 0, total)
}

// maildir imports the messages of another Maildir, keeping their flags.
func (im *importer) maildir(ctx context.Context, dir string) (ImportStats, error) {
	fi := im.fi
	files, err := listFolder(dir)
	if err != nil {
		return ImportStats{}, err
	}
	produce := func(ctx context.Context, emit func(*job) bool) error {
		for _, e := range files {
			data, st, err := readFile(filepath.Join(dir, e.sub, e.name.name()))
			if err != nil {
				return err
			}
			date := keyTime(e.name.Key)
			if date.IsZero() {
				date = st.ModTime()
			}
			if !emit(&job{folder: fi, data: data, flags: e.name.Flags, date: date}) {
				return ctx.Err()
			}
		}
		return nil
	}
	return im.run(ctx, produce, len(files), 0)
}

// message imports one message file.
func (im *importer) message(ctx context.Context, r io.Reader, st os.FileInfo) (ImportStats, error) {
	fi := im.fi
	data, err := io.ReadAll(r)
	if err != nil {
		return ImportStats{}, err
	}
	produce := func(ctx context.Context, emit func(*job) bool) error {
		emit(&job{folder: fi, data: data, date: st.ModTime(), offset: st.Size()})
		return nil
	}
	return im.run(ctx, produce, 1, st.Size())
}

func (im *importer) run(ctx context.Context, produce produceFunc, total int, totalBytes int64) (ImportStats, error) {
	ist, err := im.s.ingest(ctx, produce, ingestOptions{workers: importWorkers(), dedup: im.dedup, stored: im.opt.Stored, progress: func(done int, b int64) {
		if im.opt.Progress != nil {
			im.opt.Progress(Progress{Done: done, Total: total, Bytes: b, TotalBytes: totalBytes})
		}
	}})
	return ImportStats{Messages: ist.done, Problems: ist.problems, Duplicates: ist.duplicates, Failed: ist.failed, Bytes: ist.size}, err
}
