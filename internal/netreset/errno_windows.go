//go:build windows

package netreset

import "golang.org/x/sys/windows"

var wsaeconnreset error = windows.WSAECONNRESET
