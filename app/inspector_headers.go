package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/inspect"
)

// The Raw headers tab lists every header field, unfolded, grouped in the
// families of the course's slide "Format de l'en-tête": Cheminement, Origine,
// Destinataires, Identification, Renvoi, Autres. The text is monospace and
// selectable, to copy a field.

type rawTab struct {
	box *fyne.Container
}

func newRawTab() *rawTab {
	return &rawTab{box: container.NewVBox()}
}

func (t *rawTab) content() fyne.CanvasObject {
	return container.NewVScroll(t.box)
}

// show lists the fields of r by family.
func (t *rawTab) show(r *inspect.Report) {
	t.box.RemoveAll()
	for _, g := range r.Headers.Groups() {
		t.box.Add(keyLabel(familyTitle(g.Family)))
		lines := make([]string, 0, len(g.Fields))
		for _, f := range g.Fields {
			lines = append(lines, f.Name+": "+f.Value)
		}
		t.box.Add(monoLabel(strings.Join(lines, "\n")))
	}
	if len(r.Headers.Bad) > 0 {
		t.box.Add(keyLabel(lang.L("Lines that are not header fields (skipped)")))
		t.box.Add(monoLabel(strings.Join(r.Headers.Bad, "\n")))
	}
	t.box.Refresh()
}

// monoLabel is selectable monospace text, wrapped anywhere: header values have
// long words.
func monoLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Monospace = true
	l.Selectable = true
	l.Wrapping = fyne.TextWrapBreak
	l.SizeName = theme.SizeNameText
	return l
}
