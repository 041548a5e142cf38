package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// flagSVG is a small pennant for flagged messages (the theme has no flag icon).
const flagSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">` +
	`<path fill="#000000" d="M5 3h2v1h12l-2.5 4.5L19 13H7v8H5z"/></svg>`

var flagIcon = theme.NewColoredResource(
	fyne.NewStaticResource("facteur-flag.svg", []byte(flagSVG)), theme.ColorNameError)

const (
	indentStep = 20 // px per thread level
	maxIndent  = 8  // levels drawn; deeper replies align with the eighth
	dotSize    = 8
)

// msgRow draws one message of the list on two lines: the correspondent, the
// markers and the date; then the subject (and the folder, in search results).
// Its height is fixed, so the list can be virtual.
type msgRow struct {
	widget.BaseWidget
	depth   int
	dot     *canvas.Circle
	sender  *widget.Label
	subject *widget.Label
	where   *widget.Label
	date    *widget.Label
	count   *widget.Label // a thread's counts, on its first row (list_threads.go)
	attach  *widget.Icon
	flag    *widget.Icon
	replied *widget.Icon // answered: the reply arrow; else forwarded
	marks   *fyne.Container
	// selBg draws the row as selected when it is part of a multiple
	// selection (the list draws its own selected row).
	selBg *canvas.Rectangle
	// index is the list row shown; onTap and onMenu take the clicks
	// (with their modifiers) and the right click to the controller.
	index  int
	onTap  func(i int)
	onMenu func(i int, at fyne.Position)
	// onDrag and onDrop take a drag of the row toward the folder tree.
	onDrag func(i int, at fyne.Position)
	onDrop func()
}

func newMsgRow() *msgRow {
	r := &msgRow{
		dot:     canvas.NewCircle(theme.Color(theme.ColorNamePrimary)),
		sender:  widget.NewLabel(""),
		subject: widget.NewLabel(""),
		where:   widget.NewLabel(""),
		date:    widget.NewLabel(""),
		count:   widget.NewLabel(""),
		attach:  widget.NewIcon(theme.MailAttachmentIcon()),
		flag:    widget.NewIcon(flagIcon),
		replied: widget.NewIcon(theme.MailReplyIcon()),
		selBg:   canvas.NewRectangle(theme.Color(theme.ColorNameSelection)),
	}
	r.selBg.CornerRadius = theme.SelectionRadiusSize()
	r.selBg.Hide()
	r.sender.Truncation = fyne.TextTruncateEllipsis
	r.subject.Truncation = fyne.TextTruncateEllipsis
	r.where.TextStyle.Italic = true
	r.date.Alignment = fyne.TextAlignTrailing
	r.marks = container.NewHBox(r.count, r.replied, r.attach, r.flag, r.date)
	r.ExtendBaseWidget(r)
	return r
}

func (r *msgRow) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{r.selBg, r.dot, r.sender, r.marks, r.subject, r.where}
	return widget.NewSimpleRenderer(container.New(&rowLayout{row: r}, objs...))
}

// rowView is what a row shows, computed by the controller.
type rowView struct {
	loaded   bool
	sum      mailstore.Summary
	sender   string
	where    string // folder name in search results
	now      time.Time
	threads  bool
	selected bool // part of the selection
}

// Tapped passes a click to the controller, which reads the modifiers.
func (r *msgRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap(r.index)
	}
}

// TappedSecondary opens the message's context menu where the click was.
func (r *msgRow) TappedSecondary(e *fyne.PointEvent) {
	if r.onMenu != nil {
		r.onMenu(r.index, e.AbsolutePosition)
	}
}

func (r *msgRow) show(v rowView) {
	unread := v.loaded && v.sum.Flags&mailstore.FlagSeen == 0
	r.depth = 0
	if v.threads {
		r.depth = min(v.sum.Depth, maxIndent)
	}
	r.dot.FillColor = theme.Color(theme.ColorNamePrimary)
	r.selBg.FillColor = theme.Color(theme.ColorNameSelection)
	setVisible(r.selBg, v.selected)
	setVisible(r.dot, unread)
	setVisible(r.attach, v.loaded && v.sum.Attachment)
	setVisible(r.flag, v.loaded && v.sum.Flags&mailstore.FlagFlagged != 0)
	r.showReplied(v)
	setVisible(r.where, v.where != "")
	r.count.SetText(threadCountText(v))
	setVisible(r.count, r.count.Text != "")
	r.sender.TextStyle.Bold = unread
	r.subject.TextStyle.Bold = unread
	if !v.loaded {
		r.sender.SetText("…")
		r.subject.SetText("")
		r.date.SetText("")
		r.where.SetText("")
		r.Refresh()
		return
	}
	r.sender.SetText(v.sender)
	r.subject.SetText(rowSubject(v.sum.Subject))
	r.date.SetText(formatListDate(v.sum.Date, v.now))
	r.where.SetText(v.where)
	r.Refresh()
}

func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// rowLayout places the two lines of a msgRow; the second line overlaps the
// inner padding of the first so that a row stays compact.
type rowLayout struct{ row *msgRow }

func (l *rowLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	line := l.row.sender.MinSize().Height
	text := line - 2*theme.InnerPadding()
	return fyne.NewSize(120, line+text+theme.Padding()/2)
}

func (l *rowLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	r := l.row
	r.selBg.Resize(size)
	r.selBg.Move(fyne.NewPos(0, 0))
	pad := theme.Padding()
	line := r.sender.MinSize().Height
	text := line - 2*theme.InnerPadding()
	x := float32(r.depth*indentStep) + pad
	r.dot.Resize(fyne.NewSize(dotSize, dotSize))
	r.dot.Move(fyne.NewPos(x, (line-dotSize)/2))
	x += dotSize

	// the list's scroll bar is drawn over the right edge of the rows:
	// the date and the folder stay left of it
	right := size.Width - theme.ScrollBarSize()
	marks := r.marks.MinSize()
	r.marks.Resize(fyne.NewSize(marks.Width, line))
	r.marks.Move(fyne.NewPos(right-marks.Width, 0))
	r.sender.Resize(fyne.NewSize(max(0, right-marks.Width-x), line))
	r.sender.Move(fyne.NewPos(x, 0))

	y := text + theme.Padding()/2
	whereW := float32(0)
	if r.where.Visible() {
		whereW = r.where.MinSize().Width
		r.where.Resize(fyne.NewSize(whereW, line))
		r.where.Move(fyne.NewPos(right-whereW, y))
	}
	r.subject.Resize(fyne.NewSize(max(0, right-whereW-x), line))
	r.subject.Move(fyne.NewPos(x, y))
}

// showReplied marks a message answered (the reply arrow, as Thunderbird
// and mutt's "r" show it) or, if not, forwarded.
func (r *msgRow) showReplied(v rowView) {
	var res fyne.Resource
	switch f := v.sum.Flags; {
	case !v.loaded:
	case f&mailstore.FlagAnswered != 0:
		res = theme.MailReplyIcon()
	case f&mailstore.FlagPassed != 0:
		res = theme.MailForwardIcon()
	}
	if res != nil && r.replied.Resource != res {
		r.replied.SetResource(res)
	}
	setVisible(r.replied, res != nil)
}
