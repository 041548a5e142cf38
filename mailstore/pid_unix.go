//go:build !windows && !plan9 && !js && !wasip1

package mailstore

import (
	"errors"
	"syscall"
)

// processAlive tells whether a process of this host has the PID p: signal
// 0 checks without sending anything (EPERM: it exists, another user's).
func processAlive(p int) bool {
	err := syscall.Kill(p, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
