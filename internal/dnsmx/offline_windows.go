//go:build windows

package dnsmx

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// isOffline reports whether err means that no server can be reached. On
// Windows an ICMP port unreachable makes the next UDP read fail with
// WSAECONNRESET.
func isOffline(err error) bool {
	for _, errno := range []syscall.Errno{windows.WSAECONNREFUSED, windows.WSAECONNRESET, windows.WSAENETUNREACH, windows.WSAEHOSTUNREACH, windows.WSAENETDOWN, windows.WSAEADDRNOTAVAIL} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return errors.Is(err, errNoServer)
}
