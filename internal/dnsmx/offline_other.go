//go:build !windows

package dnsmx

import (
	"errors"
	"syscall"
)

// isOffline reports whether err means that no server can be reached: the
// port is closed (ICMP port unreachable reads as ECONNREFUSED), or there is
// no route or no network.
func isOffline(err error) bool {
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.ENETDOWN, syscall.EADDRNOTAVAIL} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return errors.Is(err, errNoServer)
}
