//go:build (linux || freebsd || openbsd || netbsd) && !flatpak

package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"github.com/rymdport/portal"
	"github.com/rymdport/portal/filechooser"
)

// Fyne 2.7 asks xdg-desktop-portal for its file dialogs only when built
// for Flatpak (the flatpak tag); a desktop session runs the portal for
// every application, so Facteur asks it itself, and falls back to Fyne's
// dialog when no portal answers. Built with -tags flatpak, Fyne does it.

// portalParent is the handle the portal places its dialog over, and
// whether the portal may be asked at all: a window of the desktop driver
// (not Fyne's test driver), on a session bus that exists (without one,
// D-Bus would start a bus of its own).
func portalParent(w fyne.Window) (string, bool) {
	nw, ok := w.(driver.NativeWindow)
	if !ok || !sessionBus() {
		return "", false
	}
	handle := ""
	nw.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok {
			handle = portal.FormatX11WindowHandle(x.WindowHandle)
		}
	})
	return handle, true // Wayland: no handle, the dialog is not parented
}

// sessionBus reports whether a D-Bus session bus is there to ask.
func sessionBus() bool {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "bus"))
	return err == nil
}

// portalFilters are the portal's filters: the mail files first, every
// file second (an mbox often has no extension).
func portalFilters() []*filechooser.Filter {
	var mail []filechooser.Rule
	for _, ext := range mailFileExts {
		mail = append(mail,
			filechooser.Rule{Type: filechooser.GlobPattern, Pattern: "*" + ext},
			filechooser.Rule{Type: filechooser.GlobPattern, Pattern: "*" + strings.ToUpper(ext)})
	}
	return []*filechooser.Filter{
		{Name: lang.L("Mail files (mbox, eml)"), Rules: mail},
		{Name: lang.L("All files"), Rules: []filechooser.Rule{{Type: filechooser.GlobPattern, Pattern: "*"}}},
	}
}

// portalOpen asks the portal for a file to open; it reports false when
// the portal cannot be asked, and calls fallback when it did not answer.
func (c *controller) portalOpen(title string, pick func(string), fallback func(func(string))) bool {
	parent, ok := portalParent(c.win)
	if !ok {
		return false
	}
	filters := portalFilters()
	opts := &filechooser.OpenFileOptions{Filters: filters, CurrentFilter: filters[0]}
	c.work.bg(func(context.Context) func() {
		uris, err := filechooser.OpenFile(parent, title, opts)
		return func() {
			if err != nil {
				fallback(pick)
				return
			}
			if path, ok := portalPath(uris); ok {
				pick(path)
			}
		}
	})
	return true
}

// portalSave asks the portal where to save an mbox file named name.
func (c *controller) portalSave(name string, pick func(fyne.URIWriteCloser), fallback func(string, func(fyne.URIWriteCloser))) bool {
	parent, ok := portalParent(c.win)
	if !ok {
		return false
	}
	filters := portalFilters()
	opts := &filechooser.SaveFileOptions{Filters: filters, CurrentFilter: filters[0], CurrentName: name}
	c.work.bg(func(context.Context) func() {
		uris, err := filechooser.SaveFile(parent, lang.L("Export folder as mbox…"), opts)
		return func() {
			if err != nil {
				fallback(name, pick)
				return
			}
			path, ok := portalPath(uris)
			if !ok {
				return
			}
			w, err := storage.Writer(storage.NewFileURI(path))
			if err != nil {
				c.showError(err)
				return
			}
			pick(w)
		}
	})
	return true
}

// portalPath is the local path of the first file:// URI the portal gave.
func portalPath(uris []string) (string, bool) {
	if len(uris) == 0 {
		return "", false
	}
	u, err := storage.ParseURI(uris[0])
	if err != nil || u.Scheme() != "file" {
		return "", false
	}
	return u.Path(), true
}
