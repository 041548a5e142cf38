package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Small building blocks shared by the inspector's tabs.

// section is a titled block of a tab: the title, what it is in a quieter
// voice on the same line, then the content.
func section(title, subtitle string, content fyne.CanvasObject) *fyne.Container {
	t := newSelLabel(title)
	t.TextStyle.Bold = true
	t.SizeName = theme.SizeNameSubHeadingText
	head := container.NewHBox(t)
	if subtitle != "" {
		sub := widget.NewLabel(subtitle)
		sub.TextStyle.Italic = true
		head.Add(container.NewCenter(sub))
	}
	return container.NewVBox(head, content)
}

// sections stacks blocks with a separator between them.
func sections(blocks ...fyne.CanvasObject) *fyne.Container {
	box := container.NewVBox()
	for i, b := range blocks {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		box.Add(b)
	}
	return box
}

// tightVBox stacks objects without the theme's padding between them.
func tightVBox(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewCustomPaddedVBoxLayout(0), objects...)
}

// iconRow is an icon and a wrapped sentence beside it.
func iconRow(icon fyne.Resource, text string) fyne.CanvasObject {
	l := wrapLabel()
	l.SetText(text)
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l)
}

func wrapLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return l
}

// captionLabel is a small wrapped label for sources and notes.
func captionLabel() *widget.Label {
	l := wrapLabel()
	l.SizeName = theme.SizeNameCaptionText
	l.TextStyle.Italic = true
	return l
}

// minWidth gives o at least width w, so that the key columns of several forms
// line up.
func minWidth(w float32, o fyne.CanvasObject) *fyne.Container {
	return container.New(minWidthLayout{w}, o)
}

type minWidthLayout struct{ w float32 }

func (l minWidthLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	m := objects[0].MinSize()
	return fyne.NewSize(max(l.w, m.Width), m.Height)
}

func (l minWidthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(size)
}
