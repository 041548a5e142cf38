//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// The .exe is built for the GUI subsystem (-H=windowsgui), so that no
// console window opens beside the main window. Windows then gives it no
// standard handles, even when cmd.exe or PowerShell starts it: `facteur.exe
// search ...` would print nothing. attachConsole attaches the process to
// its parent's console, when there is one, and points each standard stream
// that has no handle at it; a stream redirected to a file or a pipe keeps
// its handle. scripts/windows/smoke.sh checks it under Wine: console.exe
// starts facteur.exe with no standard handles on a terminal.
func init() { attachConsole() }

var attachConsoleProc = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1.
const attachParentProcess = ^uintptr(0) & 0xffffffff

type stdStream struct {
	id     uint32 // STD_*_HANDLE
	device string // CONIN$ or CONOUT$
	file   **os.File
	name   string
}

func attachConsole() {
	streams := []stdStream{
		{windows.STD_INPUT_HANDLE, "CONIN$", &os.Stdin, "/dev/stdin"},
		{windows.STD_OUTPUT_HANDLE, "CONOUT$", &os.Stdout, "/dev/stdout"},
		{windows.STD_ERROR_HANDLE, "CONOUT$", &os.Stderr, "/dev/stderr"},
	}
	var missing []stdStream
	for _, s := range streams {
		if h, err := windows.GetStdHandle(s.id); err != nil || h == 0 || h == windows.InvalidHandle {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return
	}
	// ERROR_ACCESS_DENIED: attached to a console already (Wine attaches a
	// GUI program to the console of the program that started it): its
	// screen is there to open all the same.
	if r, _, err := attachConsoleProc.Call(attachParentProcess); r == 0 && err != windows.ERROR_ACCESS_DENIED {
		return // started from Explorer: no console, none wanted
	}
	for _, s := range missing {
		if h, ok := openConsole(s.device); ok {
			windows.SetStdHandle(s.id, h)
			*s.file = os.NewFile(uintptr(h), s.name)
		}
	}
}

// openConsole opens the console's input or output buffer.
func openConsole(device string) (windows.Handle, bool) {
	name, err := windows.UTF16PtrFromString(device)
	if err != nil {
		return 0, false
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	return h, err == nil
}
