package localmta

import (
	"bytes"
	"regexp"
	"sync"
)

// maxTranscript bounds a session transcript; the message body is not
// kept beyond it.
const maxTranscript = 32 << 10

// transcript records an SMTP dialogue, AUTH secrets masked.
type transcript struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

var authLine = regexp.MustCompile(`(?im)^((?:C: )?AUTH +[A-Z0-9-]+) +\S+`)

func (t *transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := maxTranscript - t.buf.Len(); room > 0 {
		t.buf.Write(authLine.ReplaceAll(p[:min(len(p), room)], []byte("$1 ****")))
	}
	return len(p), nil
}

func (t *transcript) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// dir returns a writer that prefixes each line with "S: " or "C: ".
func (t *transcript) dir(prefix string) *prefixWriter {
	return &prefixWriter{t: t, prefix: prefix, bol: true}
}

type prefixWriter struct {
	t      *transcript
	prefix string
	bol    bool
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	var out []byte
	for _, b := range p {
		if w.bol {
			out = append(out, w.prefix...)
		}
		out = append(out, b)
		w.bol = b == '\n'
	}
	w.t.Write(out)
	return len(p), nil
}

// maxSessions is how many outgoing sessions the MTA remembers.
const maxSessions = 50

// recordSession keeps the latest outgoing sessions.
func (m *MTA) recordSession(s OutSession) {
	m.sessMu.Lock()
	defer m.sessMu.Unlock()
	m.sessions = append(m.sessions, s)
	if len(m.sessions) > maxSessions {
		m.sessions = m.sessions[len(m.sessions)-maxSessions:]
	}
}

// Sessions returns the latest outgoing SMTP sessions, oldest first.
func (m *MTA) Sessions() []OutSession {
	m.sessMu.Lock()
	defer m.sessMu.Unlock()
	return append([]OutSession(nil), m.sessions...)
}
