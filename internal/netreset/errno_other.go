//go:build !windows

package netreset

import "syscall"

// wsaeconnreset: Unix has only ECONNRESET.
var wsaeconnreset error = syscall.ECONNRESET
