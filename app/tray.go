package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"facteur/icons"
	"facteur/localmta/mailsys"
)

// The system tray shows whether the MTA runs, and keeps Facteur (and its
// MTA) running when the main window is closed.
//
// Fyne starts its tray (fyne.io/systray's nativeStart, which connects to
// the D-Bus session on Linux) only when a tray menu was set before the
// event loop begins, but stops it on every quit (nativeEnd, which closes
// that connection). A tray set later, or one whose D-Bus connection
// failed, leaves the connection nil, and every quit then panicked in
// nativeEnd. So the tray is set up once, before the loop, and only when
// the desktop has a tray host to show it (trayAvailable); otherwise there
// is none, and closing the window quits.

// useTray sets the tray up; Run calls it before the event loop starts.
func (c *controller) useTray(desk desktop.App) {
	if c.mta.run == nil {
		return // without the mail system there is nothing to keep running
	}
	c.mta.tray = desk
	c.updateTray()
}

// updateTray shows in the tray what the MTA is doing.
func (c *controller) updateTray() {
	desk := c.mta.tray
	text := c.mtaStateText()
	if desk == nil || text == c.mta.trayText {
		return
	}
	if c.mta.trayText == "" {
		// with a tray icon, closing the window keeps Facteur (and its MTA)
		// running in the tray; Quit ends both
		c.win.SetCloseIntercept(c.win.Hide)
	}
	c.mta.trayText = text
	state := fyne.NewMenuItem(text, nil)
	state.Disabled = true
	show := fyne.NewMenuItem(lang.L("Show Facteur"), func() { c.win.Show(); c.win.RequestFocus() })
	panel := fyne.NewMenuItem(lang.L("Local MTA…"), c.showMTAPanel)
	check := fyne.NewMenuItem(lang.L("Check mail"), c.checkMail)
	compose := fyne.NewMenuItem(lang.L("New message"), c.newMessage)
	desk.SetSystemTrayMenu(fyne.NewMenu("Facteur", state, fyne.NewMenuItemSeparator(), show, check, compose, panel))
	var icon fyne.Resource = icons.App
	if st := c.mta.status.State; !c.mta.starting && st != mailsys.Running && st != mailsys.External {
		icon = theme.NewErrorThemedResource(theme.MailComposeIcon())
	}
	desk.SetSystemTrayIcon(icon)
}

// trayHost reports whether the desktop can show a tray icon, within a
// short time.
func trayHost(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, trayProbeTimeout)
	defer cancel()
	return trayAvailable(ctx)
}
