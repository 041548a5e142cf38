// Package netreset tells a connection reset (a TCP RST from the peer) from
// other network errors on every system: syscall.ECONNRESET on Unix, but
// WSAECONNRESET on Windows, where errors.Is(err, syscall.ECONNRESET) is
// always false (RFC 9293, section 3.5.2: reset processing).
package netreset

import (
	"errors"
	"syscall"
)

// Is reports whether err is, or wraps, a connection reset by the peer.
func Is(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, wsaeconnreset)
}
