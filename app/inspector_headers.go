package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

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

// show lists the fields of r by family, each name beside its value.
func (t *rawTab) show(r *inspect.Report) {
	var blocks []fyne.CanvasObject
	keyW := float32(0) // the widest name, so that the families line up
	style := fyne.TextStyle{Monospace: true, Bold: true}
	for _, f := range r.Headers.Fields {
		keyW = max(keyW, fyne.MeasureText(f.Name+":", theme.TextSize(), style).Width+2*theme.InnerPadding())
	}
	for _, g := range r.Headers.Groups() {
		form := container.New(layout.NewFormLayout())
		for _, f := range g.Fields {
			name := monoLabel(f.Name + ":")
			name.TextStyle = style
			name.Wrapping = fyne.TextWrapOff
			form.Add(minWidth(keyW, name))
			form.Add(monoLabel(strings.ReplaceAll(f.Value, "\t", " ")))
		}
		blocks = append(blocks, section(familyTitle(g.Family), "", form))
	}
	if len(r.Headers.Bad) > 0 {
		blocks = append(blocks, section(lang.L("Lines that are not header fields (skipped)"), "",
			monoLabel(strings.Join(r.Headers.Bad, "\n"))))
	}
	t.box.Objects = []fyne.CanvasObject{sections(blocks...)}
	t.box.Refresh()
}

// monoLabel is selectable monospace text, wrapped at spaces.
func monoLabel(text string) *selLabel {
	l := newSelLabel(text)
	l.TextStyle.Monospace = true
	l.Wrapping = fyne.TextWrapWord
	return l
}
