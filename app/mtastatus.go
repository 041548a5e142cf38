package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/localmta/mailsys"
)

// buildMTAIndicator is the status line under the folders: the state of the
// local MTA; a click opens the panel.
func (c *controller) buildMTAIndicator() fyne.CanvasObject {
	b := widget.NewButtonWithIcon("", theme.MediaStopIcon(), c.showMTAPanel)
	b.Importance = widget.LowImportance
	b.Alignment = widget.ButtonAlignLeading
	c.mta.indicator = b
	c.updateMTAIndicator()
	return b
}

func (c *controller) updateMTAIndicator() {
	b := c.mta.indicator
	if b == nil {
		return
	}
	b.SetText(c.mtaShortText())
	b.SetIcon(mtaStateIcon(c))
	if p := c.mta.panel; p != nil {
		p.showHeader(c)
	}
}

// mtaShortText is the state for the narrow folder pane.
func (c *controller) mtaShortText() string {
	switch {
	case c.mta.run == nil:
		return lang.L("MTA: off")
	case c.mta.starting:
		return lang.L("MTA: starting…")
	case c.mta.status.State == mailsys.Running:
		return lang.L("MTA: running")
	case c.mta.status.State == mailsys.External:
		return lang.L("MTA: facteur mta")
	case c.mta.status.State == mailsys.Failed:
		return lang.L("MTA: error")
	}
	return lang.L("MTA: stopped")
}

// mailSystemMenu is the Mail system menu.
func (c *controller) mailSystemMenu() *fyne.Menu {
	panel := fyne.NewMenuItem(lang.L("Local MTA…"), c.showMTAPanel)
	flush := fyne.NewMenuItem(lang.L("Flush the queue"), c.flushMTA)
	return fyne.NewMenu(lang.L("Mail system"), panel, flush)
}

// flushMTA tries every queued message now.
func (c *controller) flushMTA() {
	if c.mta.run == nil {
		return
	}
	c.mtaAct(func(ctx context.Context, sys *mailsys.System) error { return sys.Flush(ctx) })
}
