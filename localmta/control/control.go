// Package control lets other processes find and drive the MTA that runs
// on an MTA directory (profile.MTADir()): `facteur sendmail` submits to
// it, `facteur queue` holds, releases, deletes and flushes its messages,
// while `facteur mta` (or the app) runs it.
//
// Two things make it work, both in the MTA directory:
//
//   - mta.lock, an exclusive file lock (flock(2) on Unix, LockFileEx on
//     Windows) that the running MTA holds for its whole life. A command
//     that finds the lock free knows that no MTA runs, and changes the spool
//     itself (queue.Open) while holding the lock, so that an MTA starting
//     meanwhile waits for it. The system drops the lock of a dead process:
//     kill -9 leaves nothing stale.
//   - control.json, written by the running MTA: its SMTP, submission and
//     POP3 addresses, and a loopback TCP control socket with a random token
//     (the file is readable by its owner only). Commands to the queue go
//     through that socket, so that the MTA's queue, which keeps its state
//     in memory, makes every change itself.
//
// The control protocol is one request per connection, in the spirit of
// RFC 5321 replies: "TOKEN VERB [ID]" and "OK" or "ERR CODE text". One verb
// carries data: ENQUEUE hands a message with its envelope (and, for an
// outbox message, its relay account) to the running MTA's queue, so that
// `facteur send` can queue while `facteur mta` runs (see enqueue.go).
package control

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"facteur/internal/atomicfile"
)

// Info is what a running MTA publishes in control.json.
type Info struct {
	PID        int       `json:"pid"`
	Started    time.Time `json:"started"`
	Control    string    `json:"control"`              // "127.0.0.1:port" of the control socket
	Token      string    `json:"token"`                // secret of the control socket
	SMTP       []string  `json:"smtp,omitempty"`       // SMTP listeners
	Submission []string  `json:"submission,omitempty"` // submission listeners (AUTH required)
	POP3       string    `json:"pop3,omitempty"`       // POP3 listener, "" when off
	IMAP       string    `json:"imap,omitempty"`       // IMAP listener (STARTTLS), "" when off
	IMAPS      string    `json:"imaps,omitempty"`      // IMAP listener (implicit TLS), "" when off
	Hostname   string    `json:"hostname,omitempty"`
}

// Errors of the package, for errors.Is.
var (
	// ErrNotRunning: no MTA runs on the directory (its lock is free).
	ErrNotRunning = errors.New("control: no MTA is running")
	// ErrNotResponding: an MTA holds the lock but its control socket does
	// not answer (it is starting, or stuck).
	ErrNotResponding = errors.New("control: the MTA holds its directory but does not answer")
	// ErrDenied: the control socket refused the token.
	ErrDenied = errors.New("control: access denied")
	// ErrProtocol: a malformed request or reply.
	ErrProtocol = errors.New("control: protocol error")
)

// InfoFile returns the path of control.json in an MTA directory.
func InfoFile(dir string) string { return filepath.Join(dir, "control.json") }

// ReadInfo reads control.json; it may be stale (left by a crash) when the
// lock is free.
func ReadInfo(dir string) (Info, error) {
	var info Info
	data, err := os.ReadFile(InfoFile(dir))
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, errors.Join(ErrProtocol, err)
	}
	return info, nil
}

// writeInfo replaces control.json atomically, readable by its owner only.
func writeInfo(dir string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(InfoFile(dir), data, 0o600)
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}
