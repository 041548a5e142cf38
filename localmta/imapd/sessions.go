package imapd

import (
	"sync"
	"time"
)

// SessionInfo describes an IMAP session for the MTA panel.
type SessionInfo struct {
	Client   string // address:port
	Login    string // "" before login
	TLS      bool   // implicit TLS, or STARTTLS before login
	Started  time.Time
	Ended    time.Time // zero while it lasts
	Mailbox  string    // the last one selected
	ClientID string    // the client's name and version (ID, RFC 2971)
	Fetched  int       // messages fetched
	Stored   int       // messages whose flags were changed
	Appended int
	Expunged int
}

// record is one session in the log.
type record struct{ info SessionInfo }

// maxSessions is how many ended sessions the server remembers.
const maxSessions = 50

// sessionLog keeps the open sessions and the latest ended ones.
type sessionLog struct {
	mu     sync.Mutex
	open   map[*record]struct{}
	ended  []SessionInfo
	notify chan struct{}
}

func (l *sessionLog) start(info SessionInfo) *record {
	r := &record{info: info}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open == nil {
		l.open = map[*record]struct{}{}
	}
	l.open[r] = struct{}{}
	l.changedLocked()
	return r
}

func (l *sessionLog) update(r *record, fn func(*SessionInfo)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(&r.info)
	l.changedLocked()
}

func (l *sessionLog) end(r *record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.open[r]; !ok {
		return
	}
	delete(l.open, r)
	r.info.Ended = time.Now()
	l.ended = append(l.ended, r.info)
	if len(l.ended) > maxSessions {
		l.ended = l.ended[len(l.ended)-maxSessions:]
	}
	l.changedLocked()
}

func (l *sessionLog) changedLocked() {
	if l.notify != nil {
		close(l.notify)
		l.notify = nil
	}
}

// Sessions returns the open sessions and the latest ended ones, oldest
// first.
func (s *Server) Sessions() []SessionInfo {
	l := &s.sessions
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]SessionInfo(nil), l.ended...)
	for r := range l.open {
		out = append(out, r.info)
	}
	sortByStart(out[len(l.ended):])
	return out
}

// SessionsChanged returns a channel closed at the next change of Sessions.
func (s *Server) SessionsChanged() <-chan struct{} {
	l := &s.sessions
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.notify == nil {
		l.notify = make(chan struct{})
	}
	return l.notify
}

func sortByStart(s []SessionInfo) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Started.Before(s[j-1].Started); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
