package imapd

import (
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

var _ imapserver.SessionID = (*session)(nil)

// serverName is the name the server gives to ID.
const serverName = "Facteur"

// ID answers the client's identification with the server's (RFC 2971) and
// keeps the client's name and version for the MTA panel.
func (s *session) ID(client *imap.IDData) *imap.IDData {
	if client != nil {
		if id := clientID(client); id != "" {
			s.srv.sessions.update(s.rec, func(i *SessionInfo) { i.ClientID = id })
			s.srv.log.Debug("imap client", "client", s.ip.String(), "id", id)
		}
	}
	return &imap.IDData{Name: serverName, Version: s.srv.cfg.Version, Vendor: serverName}
}

// clientID is "name version" of a client's ID, control characters made
// spaces (imapserver bounds each value to 1,024 octets).
func clientID(d *imap.IDData) string {
	id := strings.TrimSpace(strings.TrimSpace(d.Name) + " " + strings.TrimSpace(d.Version))
	id = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, id)
	return id
}
