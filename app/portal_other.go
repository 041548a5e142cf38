//go:build !(linux || freebsd || openbsd || netbsd) || flatpak

package app

import "fyne.io/fyne/v2"

// Elsewhere Fyne's dialog is the file chooser (with -tags flatpak, Fyne
// itself asks the portal).

func (c *controller) portalOpen(string, func(string), func(func(string))) bool { return false }

func (c *controller) portalSave(string, func(fyne.URIWriteCloser), func(string, func(fyne.URIWriteCloser))) bool {
	return false
}
