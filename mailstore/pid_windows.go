//go:build windows

package mailstore

import "golang.org/x/sys/windows"

// processAlive tells whether a process of this host has the PID p and has
// not exited.
func processAlive(p int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(p))
	if err != nil {
		return err == windows.ERROR_ACCESS_DENIED // it exists, another user's
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		return true
	}
	const stillActive = 259
	return code == stillActive
}
