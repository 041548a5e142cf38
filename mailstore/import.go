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
// Messages are written in batches; when ctx ends, what was imported stays
// (indexed and on disk) and the error is ctx's.
func (s *Store) Import(ctx context.Context, folder FolderRef, path string, progress func(Progress)) (ImportStats, error) {
	if err := s.enter(); err != nil {
		return ImportStats{}, err
	}
	defer s.leave()
	st, err := os.Stat(path)
	if err != nil {
		return ImportStats{}, err
	}
	fi, err := s.ensureFolder(ctx, folder, RoleNone)
	if err != nil {
		return ImportStats{}, err
	}
	if st.IsDir() {
		if !isMaildir(path) {
			return ImportStats{}, fmt.Errorf("%w: %s is a directory but not a Maildir", ErrUnknownFormat, path)
		}
		return s.importMaildir(ctx, fi, path, progress)
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportStats{}, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	switch sniff(br) {
	case formatMbox:
		return s.importMbox(ctx, fi, br, st.Size(), progress)
	case formatMessage:
		return s.importMessage(ctx, fi, br, st, progress)
	}
	return ImportStats{}, fmt.Errorf("%w: %s", ErrUnknownFormat, path)
}

// ImportMbox imports an mbox stream (mboxo or mboxrd) into folder, created if
// missing. See Import.
func (s *Store) ImportMbox(ctx context.Context, folder FolderRef, r io.Reader, progress func(Progress)) (ImportStats, error) {
	if err := s.enter(); err != nil {
		return ImportStats{}, err
	}
	defer s.leave()
	fi, err := s.ensureFolder(ctx, folder, RoleNone)
	if err != nil {
		return ImportStats{}, err
	}
	return s.importMbox(ctx, fi, r, 0, progress)
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

// importMbox streams an mbox through the indexing pipeline.
func (s *Store) importMbox(ctx context.Context, fi *folderInfo, r io.Reader, total int64, progress func(Progress)) (ImportStats, error) {
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
	return s.runImport(ctx, produce, 0, total, progress)
}

// importMaildir imports the messages of another Maildir, keeping their flags.
func (s *Store) importMaildir(ctx context.Context, fi *folderInfo, dir string, progress func(Progress)) (ImportStats, error) {
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
	return s.runImport(ctx, produce, len(files), 0, progress)
}

// importMessage imports one message file.
func (s *Store) importMessage(ctx context.Context, fi *folderInfo, r io.Reader, st os.FileInfo, progress func(Progress)) (ImportStats, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ImportStats{}, err
	}
	produce := func(ctx context.Context, emit func(*job) bool) error {
		emit(&job{folder: fi, data: data, date: st.ModTime(), offset: st.Size()})
		return nil
	}
	return s.runImport(ctx, produce, 1, st.Size(), progress)
}

func (s *Store) runImport(ctx context.Context, produce produceFunc, total int, totalBytes int64, progress func(Progress)) (ImportStats, error) {
	ist, err := s.ingest(ctx, produce, ingestOptions{workers: importWorkers(), progress: func(done int, b int64) {
		if progress != nil {
			progress(Progress{Done: done, Total: total, Bytes: b, TotalBytes: totalBytes})
		}
	}})
	return ImportStats{Messages: ist.done, Problems: ist.problems, Bytes: ist.size}, err
}
