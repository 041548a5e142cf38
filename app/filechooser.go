package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// The file choosers of Import and Export: the desktop's own, through
// xdg-desktop-portal where it answers (Linux and the BSDs, portal.go),
// else Fyne's dialog; both show the mail files only.

// mailFileExts are the extensions of the files that Import reads as
// mail: mbox files and single messages.
var mailFileExts = []string{".mbox", ".mbx", ".eml"}

// mailFileFilter keeps the mail files in Fyne's file dialog (which always
// shows folders): the extensions of mailFileExts, and the files without
// one, as mbox files often are (Thunderbird's Inbox, /var/mail/marc).
type mailFileFilter struct{}

func (mailFileFilter) Matches(u fyne.URI) bool {
	ext := strings.ToLower(u.Extension())
	return ext == "" || slices.Contains(mailFileExts, ext)
}

// chooseMailFile asks for a mail file to read and calls pick with its
// path; nothing when the user cancels.
func (c *controller) chooseMailFile(title string, pick func(path string)) {
	if c.portalOpen(title, pick, c.fyneOpenMailFile) {
		return
	}
	c.fyneOpenMailFile(pick)
}

// fyneOpenMailFile is chooseMailFile with Fyne's dialog.
func (c *controller) fyneOpenMailFile(pick func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			c.showError(err)
			return
		}
		path := r.URI().Path()
		r.Close()
		pick(path)
	}, c.win)
	d.SetFilter(mailFileFilter{})
	d.Show()
}

// chooseMboxFile asks where to write an mbox file, proposing name, and
// calls pick with the writer; nothing when the user cancels.
func (c *controller) chooseMboxFile(name string, pick func(fyne.URIWriteCloser)) {
	if c.portalSave(name, pick, c.fyneSaveMbox) {
		return
	}
	c.fyneSaveMbox(name, pick)
}

// fyneSaveMbox is chooseMboxFile with Fyne's dialog.
func (c *controller) fyneSaveMbox(name string, pick func(fyne.URIWriteCloser)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			c.showError(err)
			return
		}
		pick(w)
	}, c.win)
	d.SetFilter(mailFileFilter{})
	d.SetFileName(name)
	d.Show()
}
