package queue

import (
	"bufio"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The queue file ID.msg holds the whole message: its bytes, then its
// state as one line of JSON, then a fixed-length trailer line that gives
// both lengths and the CRC-32C of everything before it:
//
//	<message bytes><state JSON>\n
//	facteur-queue <body length, 16 hex> <state length, 8 hex> <CRC-32C, 8 hex>\n
//
// The file is written (as a new file under its final name, or into a
// spare file renamed once written: see spare.go) and fsync'd; the trailer
// is its commit mark. A crash before the fsync ended (the message never
// got its 250) leaves a file whose trailer is missing, inconsistent or
// whose CRC fails: recovery removes it. A complete trailer cannot appear
// by chance at the end of a message: its state names the file's own
// queue ID, which recovery checks.
const (
	trailerMagic = "facteur-queue "
	trailerLen   = len(trailerMagic) + 16 + 1 + 8 + 1 + 8 + 1
)

// ErrIncomplete is wrapped by the errors of queue files that a crash
// left half-written: no valid trailer.
var ErrIncomplete = errors.New("queue: incomplete queue file")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// trailer is the decoded last line of a queue file.
type trailer struct {
	body  int64
	state int64
	crc   uint32
}

func (t trailer) String() string {
	return fmt.Sprintf("%s%016x %08x %08x\n", trailerMagic, t.body, t.state, t.crc)
}

// parseTrailer decodes the trailer line of a file of size bytes.
func parseTrailer(b []byte, size int64) (trailer, error) {
	var t trailer
	if len(b) != trailerLen || string(b[:len(trailerMagic)]) != trailerMagic || b[trailerLen-1] != '\n' {
		return t, fmt.Errorf("%w: no trailer", ErrIncomplete)
	}
	f := strings.Fields(string(b[len(trailerMagic):]))
	if len(f) != 3 || len(f[0]) != 16 || len(f[1]) != 8 || len(f[2]) != 8 {
		return t, fmt.Errorf("%w: bad trailer %q", ErrIncomplete, b)
	}
	body, err1 := strconv.ParseUint(f[0], 16, 63)
	state, err2 := strconv.ParseUint(f[1], 16, 32)
	crc, err3 := strconv.ParseUint(f[2], 16, 32)
	if err := errors.Join(err1, err2, err3); err != nil {
		return t, fmt.Errorf("%w: bad trailer: %v", ErrIncomplete, err)
	}
	t = trailer{body: int64(body), state: int64(state), crc: uint32(crc)}
	if t.state == 0 || t.state > maxStateSize || t.body+t.state+int64(trailerLen) != size {
		return t, fmt.Errorf("%w: lengths %d+%d in a file of %d bytes", ErrIncomplete, t.body, t.state, size)
	}
	return t, nil
}

// spoolFile is an open queue file whose trailer has been read.
type spoolFile struct {
	f   *os.File
	t   trailer
	msg *Message // the state the file was written with
}

// openSpoolFile opens a queue file and reads its trailer and state; with
// verify, it also checks the CRC of the whole file (recovery does, a
// listing does not). The caller closes the file.
func openSpoolFile(path string, verify bool) (*spoolFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	sf, err := readSpoolFile(f, verify)
	if err != nil {
		f.Close()
		return nil, err
	}
	return sf, nil
}

func readSpoolFile(f *os.File, verify bool) (*spoolFile, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(trailerLen) {
		return nil, fmt.Errorf("%w: %d bytes", ErrIncomplete, size)
	}
	tb := make([]byte, trailerLen)
	if _, err := f.ReadAt(tb, size-int64(trailerLen)); err != nil {
		return nil, err
	}
	t, err := parseTrailer(tb, size)
	if err != nil {
		return nil, err
	}
	if verify {
		if err := checkCRC(f, t); err != nil {
			return nil, err
		}
	}
	state := make([]byte, t.state)
	if _, err := f.ReadAt(state, t.body); err != nil {
		return nil, err
	}
	m, err := ParseState(state)
	if err != nil {
		return nil, err
	}
	m.Size = t.body
	return &spoolFile{f: f, t: t, msg: m}, nil
}

// checkCRC reads the body and state of a queue file and compares their
// CRC with the trailer's.
func checkCRC(f *os.File, t trailer) error {
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, t.body+t.state)); err != nil {
		return err
	}
	if h.Sum32() != t.crc {
		return fmt.Errorf("%w: CRC mismatch", ErrIncomplete)
	}
	return nil
}

// body returns a reader of the message bytes, which closes the file.
func (sf *spoolFile) body() io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(sf.f, 0, sf.t.body), sf.f}
}

// spoolWriter writes a queue file through a pooled buffer, computing the
// CRC as it goes and keeping a copy of a small message in memory for its
// first delivery (see bodyCache).
type spoolWriter struct {
	bw   *bufio.Writer
	crc  hash.Hash32
	n    int64
	mem  []byte
	keep bool
}

var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

func newSpoolWriter(f *os.File) *spoolWriter {
	bw := bufPool.Get().(*bufio.Writer)
	bw.Reset(f)
	return &spoolWriter{bw: bw, crc: crc32.New(castagnoli), keep: true}
}

func (w *spoolWriter) Write(p []byte) (int, error) {
	n, err := w.bw.Write(p)
	w.crc.Write(p[:n])
	w.n += int64(n)
	if w.keep {
		if len(w.mem)+n > maxCachedBody {
			w.keep, w.mem = false, nil
		} else {
			w.mem = append(w.mem, p[:n]...)
		}
	}
	return n, err
}

// ReadFrom reads r to its end straight into the write buffer, without
// the intermediate buffer of io.Copy.
func (w *spoolWriter) ReadFrom(r io.Reader) (int64, error) {
	start := w.n
	for {
		if w.bw.Available() == 0 {
			if err := w.bw.Flush(); err != nil {
				return w.n - start, err
			}
		}
		buf := w.bw.AvailableBuffer()[:w.bw.Available()]
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return w.n - start, werr
			}
		}
		if err == io.EOF {
			return w.n - start, nil
		}
		if err != nil {
			return w.n - start, err
		}
	}
}

// finish writes the state and the trailer and flushes the buffer; the
// caller fsyncs the file.
func (w *spoolWriter) finish(state []byte) error {
	body := w.n
	w.keep = false
	state = append(state, '\n')
	if _, err := w.Write(state); err != nil {
		return err
	}
	t := trailer{body: body, state: int64(len(state)), crc: w.crc.Sum32()}
	if _, err := w.bw.WriteString(t.String()); err != nil {
		return err
	}
	return w.bw.Flush()
}

// release returns the buffer to the pool.
func (w *spoolWriter) release() {
	w.bw.Reset(nil)
	bufPool.Put(w.bw)
	w.bw = nil
}
