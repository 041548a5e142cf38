//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"
)

// trayProbeTimeout bounds the D-Bus questions of trayAvailable.
const trayProbeTimeout = 2 * time.Second

// trayWatcher is the D-Bus name of the StatusNotifierItem host that shows
// tray icons on the free desktops (KDE, GNOME's AppIndicator extension,
// waybar...).
const trayWatcher = "org.kde.StatusNotifierWatcher"

// trayAvailable reports whether a D-Bus session runs (without launching
// one) and a StatusNotifierWatcher owns its name there: without both,
// fyne.io/systray cannot show an icon and panics when it stops.
func trayAvailable(ctx context.Context) bool {
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false
	}
	if err := conn.Hello(); err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, trayWatcher).Store(&has)
	return err == nil && has
}
