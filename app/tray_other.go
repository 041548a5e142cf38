//go:build !(linux || freebsd || openbsd || netbsd)

package app

import (
	"context"
	"time"
)

// trayProbeTimeout bounds trayAvailable.
const trayProbeTimeout = time.Second

// trayAvailable: macOS and Windows always have a tray (the menu bar, the
// notification area).
func trayAvailable(context.Context) bool { return true }
