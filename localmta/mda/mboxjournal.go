package mda

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"facteur/internal/atomicfile"
	"facteur/mailstore/mbox"
)

// The journal of an mbox spool file makes its deliveries idempotent, as
// the Maildir file names do for the Store target: before a delivery of a
// queue entry appends to the mbox (under its locks), one line records its
// DeliveryKey, where the copy starts and ends and the CRC-32C of its
// bytes and of its first octets:
//
//	KEY START END CRC HEADLEN HEADCRC
//
// A delivery replayed after a kill -9 finds its key and appends nothing.
// The last entry is settled before anything else: a copy that a kill cut
// off in the middle (the file ends between START and END and its first
// octets are the copy's) is truncated away, and the entry marked "- KEY"
// (aborted), as is one whose append failed. The line is written, not
// fsync'd: it guards against a killed process, whose writes the kernel
// keeps; after a power loss a copy may come twice, which SMTP allows. The
// journal keeps the last journalKeep entries.
const (
	journalDir  = ".facteur" // in Mbox.Dir; no login starts with a dot
	journalMax  = 256 << 10  // bytes before compaction
	journalKeep = 2000       // lines kept by a compaction
	headLen     = 512        // octets of a copy that its head CRC covers
)

type journalEntry struct {
	key          string
	start, end   int64
	crc, headCRC uint32
	head         int64
	aborted      bool
}

// journal is the journal of one mbox, read under its locks.
type journal struct {
	path    string
	entries map[string]*journalEntry
	last    *journalEntry
}

func (t *Mbox) journalPath(login string) string {
	return filepath.Join(t.Dir, journalDir, login+".journal")
}

// readJournal reads (and compacts when large) the journal at path.
func readJournal(path string) (*journal, error) {
	j := &journal{path: path, entries: map[string]*journalEntry{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, os.MkdirAll(filepath.Dir(path), 0o700)
	}
	if err != nil {
		return nil, err
	}
	if len(data) > journalMax {
		if data, err = compactJournal(path, data); err != nil {
			return nil, err
		}
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		j.parse(line)
	}
	return j, nil
}

// parse reads one line; a line that a kill cut short is ignored.
func (j *journal) parse(line string) {
	if key, ok := strings.CutPrefix(line, "- "); ok {
		if e := j.entries[key]; e != nil {
			e.aborted = true
		}
		return
	}
	f := strings.Fields(line)
	if len(f) != 6 {
		return
	}
	var n [5]uint64
	for i, s := range f[1:] {
		v, err := strconv.ParseUint(s, 16, 63)
		if err != nil {
			return
		}
		n[i] = v
	}
	e := &journalEntry{key: f[0], start: int64(n[0]), end: int64(n[1]), crc: uint32(n[2]), head: int64(n[3]), headCRC: uint32(n[4])}
	j.entries[e.key], j.last = e, e
}

// compactJournal keeps the last journalKeep lines, written whole
// (internal/atomicfile).
func compactJournal(path string, data []byte) ([]byte, error) {
	lines := strings.SplitAfter(string(data), "\n")
	kept := []byte(strings.Join(lines[max(0, len(lines)-journalKeep):], ""))
	return kept, atomicfile.WriteFile(path, kept, 0o600)
}

func (j *journal) add(line string) error {
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(line + "\n")
	return errors.Join(werr, f.Close())
}

// delivered reports whether the copy of key is in the mbox.
func (j *journal) delivered(key string) bool {
	e := j.entries[key]
	return e != nil && !e.aborted
}

// settle finishes the last entry: a copy cut short by a kill is removed.
func (j *journal) settle(f *os.File) error {
	e := j.last
	if e == nil || e.aborted {
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size >= e.end {
		return nil // complete (or the file was rewritten: nothing to undo)
	}
	if size > e.start && isHeadOf(f, e, size) {
		if err := errors.Join(f.Truncate(e.start), f.Sync()); err != nil {
			return err
		}
	}
	e.aborted = true
	return j.add("- " + e.key)
}

// isHeadOf reports whether the octets from e.start to size begin e's copy.
func isHeadOf(f *os.File, e *journalEntry, size int64) bool {
	n := min(size-e.start, e.head)
	b := make([]byte, n)
	if _, err := f.ReadAt(b, e.start); err != nil || !bytes.HasPrefix(b, []byte("From ")) {
		return false
	}
	if n < e.head {
		return true // shorter than the head: its From_ line is all there is to check
	}
	return crc32.Checksum(b, castagnoli) == e.headCRC
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// measure writes the copy into a counter: its length, CRC and head CRC.
func (d *mboxDelivery) measure(rcpt string, date time.Time) (n int64, crc, head uint32, err error) {
	r, err := withTrace(d.body, d.env.MailFrom, rcpt)
	if err != nil {
		return 0, 0, 0, err
	}
	defer r.Close()
	m := &measurer{}
	if err := mbox.NewWriter(m).Write(d.env.MailFrom, date, r); err != nil {
		return 0, 0, 0, err
	}
	return m.n, m.crc, crc32.Checksum(m.head, castagnoli), nil
}

type measurer struct {
	n    int64
	crc  uint32
	head []byte
}

func (m *measurer) Write(p []byte) (int, error) {
	m.n += int64(len(p))
	m.crc = crc32.Update(m.crc, castagnoli, p)
	if k := headLen - len(m.head); k > 0 {
		m.head = append(m.head, p[:min(k, len(p))]...)
	}
	return len(p), nil
}

// appendJournaled records the copy of key in the journal, then appends it.
func (d *mboxDelivery) appendJournaled(f *os.File, j *journal, key, rcpt string) error {
	date := d.now()
	n, crc, head, err := d.measure(rcpt, date)
	if err != nil {
		return err
	}
	start, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s %x %x %x %x %x", key, start, start+n, crc, min(n, headLen), head)
	if err := j.add(line); err != nil {
		return fmt.Errorf("mda: journal %s: %w", j.path, err)
	}
	if err := d.appendTo(f, rcpt, date); err != nil {
		return errors.Join(err, j.add("- "+key))
	}
	return nil
}
