package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A notice is a sentence at the bottom of the main window, over the panes,
// that goes away by itself: what an action did ("3 messages moved to the
// Trash"), with an Undo button when the action can be undone, or what a
// send did. It takes neither the keyboard nor the clicks outside it.

// noticeTime is how long a notice stays.
const noticeTime = 8 * time.Second

// noticeState is the notice of the main window and the last action that
// Undo (the button, Ctrl+Z) reverses.
type noticeState struct {
	box     *fyne.Container
	text    *widget.Label
	undoBtn *widget.Button
	stop    func()        // cancels the timer that hides the notice
	life    time.Duration // how long a notice stays; noticeTime when 0
	gen     int           // bumped by each notice: an older timer hides nothing
	said    string        // the text of the last notice, shown or gone
	// undo reverses the last delete, move or mark, through the mailer;
	// nil when there is nothing to undo.
	undo func(ctx context.Context) error
}

// buildNotice makes the layer that carries the notice, hidden.
func (c *controller) buildNotice() fyne.CanvasObject {
	n := &c.note
	n.text = widget.NewLabel("")
	n.text.Wrapping = fyne.TextWrapWord
	n.undoBtn = widget.NewButton(lang.L("Undo"), c.undoLast)
	n.undoBtn.Importance = widget.HighImportance
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), c.hideNotice)
	closeBtn.Importance = widget.LowImportance
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	buttons := container.NewHBox(n.undoBtn, closeBtn)
	row := container.NewBorder(nil, nil, nil, buttons, n.text)
	n.box = container.NewStack(bg, container.NewPadded(row))
	n.box.Hide()
	c.ui.noticeLayer = container.New(noticeLayout{n: n, buttons: buttons}, n.box)
	return c.ui.noticeLayer
}

// noticeLayout puts the notice at the bottom centre of the window, as wide
// as its longest line (and the buttons) up to noticeMaxWidth; it asks for
// no room.
type noticeLayout struct {
	n       *noticeState
	buttons *fyne.Container // Undo and close, beside the text
}

const noticeMaxWidth = 640

func (l noticeLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding() * 4
	text := float32(0)
	for _, line := range strings.Split(l.n.text.Text, "\n") {
		text = max(text, fyne.MeasureText(line, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	want := text + l.buttons.MinSize().Width + 6*theme.InnerPadding()
	for _, o := range objects {
		w := max(0, min(want, noticeMaxWidth, size.Width-2*pad))
		o.Resize(fyne.NewSize(w, o.MinSize().Height))
		h := o.MinSize().Height // the text wrapped at that width
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, size.Height-h-pad))
	}
}

func (noticeLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// notify shows text in the notice; with undo, the notice has an Undo
// button and Ctrl+Z runs undo; without, the last action cannot be undone
// any more.
func (c *controller) notify(text string, undo func(ctx context.Context) error) {
	n := &c.note
	if n.box == nil {
		return
	}
	n.undo = undo
	n.said = text
	n.text.SetText(text)
	setVisible(n.undoBtn, undo != nil)
	n.box.Show()
	c.ui.noticeLayer.Refresh() // laid out again for the new text
	if n.stop != nil {
		n.stop()
	}
	life := n.life
	if life == 0 {
		life = noticeTime
	}
	// not a job of the worker: the tests that settle do not wait for it
	n.gen++
	ctx, gen := c.ctx, n.gen
	t := time.AfterFunc(life, func() {
		if ctx.Err() == nil {
			c.work.post(func() { c.fadeNotice(gen) })
		}
	})
	n.stop = func() { t.Stop() }
}

// fadeNotice hides the notice when its time is up; the action can still
// be undone with Ctrl+Z.
func (c *controller) fadeNotice(gen int) {
	if gen != c.note.gen {
		return // shown again since
	}
	c.note.stop = nil
	c.note.box.Hide()
}

// hideNotice closes the notice (its close button, an Undo).
func (c *controller) hideNotice() {
	if c.note.stop != nil {
		c.note.stop()
		c.note.stop = nil
	}
	if c.note.box != nil {
		c.note.box.Hide()
	}
}

// noticeShown reports whether the notice is on screen, and its text.
func (c *controller) noticeShown() (string, bool) {
	if c.note.box == nil || !c.note.box.Visible() {
		return "", false
	}
	return c.note.text.Text, true
}

// undoLast reverses the last delete, move or mark (Ctrl+Z, Undo), through
// the mailer as the action went: the messages go back to their folders,
// the flags back to what they were, on the server too.
func (c *controller) undoLast() {
	undo := c.note.undo
	if undo == nil {
		return
	}
	c.note.undo = nil
	c.hideNotice()
	c.work.inOrder(func(ctx context.Context) func() {
		err := undo(ctx)
		return func() {
			if err = c.warnKeywordsLeft(err); err != nil {
				c.storeFailed(err)
				return
			}
			c.loadFolders(false)
			c.reloadList(true)
		}
	})
}
