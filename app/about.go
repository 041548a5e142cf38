package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/icons"
)

// showAbout shows the About box (Help > About Facteur).
func (c *controller) showAbout() {
	d := dialog.NewCustom(lang.L("About Facteur"), lang.L("Close"), c.aboutContent(), c.win)
	d.Resize(fyne.NewSize(460, 0))
	d.Show()
}

// aboutContent is the body of the About box: icon, name, version, a line on
// Facteur and the course it grew from, the profile directory.
func (c *controller) aboutContent() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(icons.AppSVG)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(88, 88))
	name := widget.NewLabel("Facteur")
	name.TextStyle.Bold = true
	name.SizeName = theme.SizeNameHeadingText
	name.Alignment = fyne.TextAlignCenter
	version := c.opts.Version
	if version == "" {
		version = c.app.Metadata().Version
	}
	ver := widget.NewLabel(lang.L("Version {{.Version}}", map[string]any{"Version": version}))
	ver.Alignment = fyne.TextAlignCenter
	blurb := widget.NewLabel(lang.L("A desktop mail client that reads, searches and sends mail, shows the route of every message, and carries a small local MTA/MDA. It grew from the course “Messagerie – Module TR2”: everything the course describes works in it."))
	blurb.Wrapping = fyne.TextWrapWord
	blurb.Alignment = fyne.TextAlignCenter
	box := container.NewVBox(container.NewCenter(icon), name, ver, blurb)
	if c.opts.Profile != "" {
		prof := newSelLabel(lang.L("Profile: {{.Dir}}", map[string]any{"Dir": c.opts.Profile}))
		prof.SizeName = theme.SizeNameCaptionText
		prof.Wrapping = fyne.TextWrapBreak
		prof.Alignment = fyne.TextAlignCenter
		box.Add(prof)
	}
	return box
}
