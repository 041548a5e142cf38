package app

import (
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// prefMonoBody is the preference key that remembers the composer's font:
// proportional by default, fixed-width when set. Like the theme, it is
// kept across restarts.
const prefMonoBody = "composerMonospace"

// monoBody tells whether the composer's body is in a fixed-width font.
func (c *controller) monoBody() bool {
	return c.settings.Bool(prefMonoBody, false)
}

// setMonoBody keeps the choice and applies it to every open composer.
func (c *controller) setMonoBody(on bool) {
	c.settings.SetBool(prefMonoBody, on)
	for _, cm := range c.compose.open {
		cm.applyFont(on)
	}
}

// monoCheck is the composer's "Fixed-width font" box (Space toggles it
// from the keyboard).
func (cm *composer) monoCheck() *widget.Check {
	cm.mono = widget.NewCheck(lang.L("Fixed-width font"), nil)
	cm.mono.SetChecked(cm.c.monoBody())
	cm.mono.OnChanged = cm.c.setMonoBody
	return cm.mono
}

// applyFont draws the body in the chosen font.
func (cm *composer) applyFont(mono bool) {
	if cm.mono.Checked != mono {
		cm.mono.SetChecked(mono) // OnChanged sets the same value again: no loop
	}
	if cm.body.TextStyle.Monospace != mono {
		cm.body.TextStyle.Monospace = mono
		cm.body.Refresh()
	}
}
