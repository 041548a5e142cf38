package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/compose"
	"facteur/mua/submit"
)

func (cm *composer) buildAttachments(atts []compose.Attachment) fyne.CanvasObject {
	cm.attList = container.NewVBox()
	cm.sizeNote = widget.NewLabel("")
	cm.sizeNote.Importance = widget.WarningImportance
	cm.sizeNote.Wrapping = fyne.TextWrapWord
	cm.sizeNote.Hide()
	cm.atts = atts
	cm.showAttachmentList()
	return container.NewVBox(cm.attList, cm.sizeNote)
}

// showAttachmentList draws one row per attachment: name, size, Remove.
func (cm *composer) showAttachmentList() {
	cm.attList.RemoveAll()
	for i, a := range cm.atts {
		name := widget.NewLabel(a.Name + "  (" + formatSize(attachmentSize(a)) + ")")
		name.Truncation = fyne.TextTruncateEllipsis
		remove := widget.NewButtonWithIcon(lang.L("Remove"), theme.ContentRemoveIcon(), func() { cm.removeAttachment(i) })
		remove.Importance = widget.LowImportance
		cm.attList.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.MailAttachmentIcon()), remove, name))
	}
	setVisible(cm.attList, len(cm.atts) > 0)
	cm.updateSize()
}

func attachmentSize(a compose.Attachment) int64 {
	if a.Size == 0 {
		return int64(len(a.Data))
	}
	return a.Size
}

func (cm *composer) removeAttachment(i int) {
	if i < 0 || i >= len(cm.atts) {
		return
	}
	cm.atts = append(cm.atts[:i:i], cm.atts[i+1:]...)
	cm.showAttachmentList()
	cm.changed()
}

// updateSize warns when the message is over the account's SIZE limit.
func (cm *composer) updateSize() {
	if cm.sizeNote == nil || cm.from == nil {
		return
	}
	s := cm.sender()
	var err error
	if s.account != nil {
		err = submit.SizeWarning(*s.account, cm.current().Size())
	}
	var se *submit.SizeError
	if errors.As(err, &se) {
		cm.sizeNote.SetText(lang.L("This message ({{.Size}}) is larger than {{.Account}} accepts ({{.Limit}}).",
			map[string]any{"Size": formatSize(se.Size), "Account": s.account.Name, "Limit": formatSize(se.Limit)}))
	}
	setVisible(cm.sizeNote, se != nil)
}

// chooseFile attaches a file picked in the file dialog.
func (cm *composer) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		cm.attach([]string{path})
	}, cm.win)
	d.Resize(fyne.NewSize(700, 500))
	d.Show()
}

// dropped attaches the files dropped on the window.
func (cm *composer) dropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	cm.attach(paths)
}

// attach reads the files' sizes and types in the background and lists them.
func (cm *composer) attach(paths []string) {
	if len(paths) == 0 {
		return
	}
	cm.c.work.bg(func(context.Context) func() {
		var atts []compose.Attachment
		var errs []error
		for _, p := range paths {
			a, err := compose.AttachFile(p)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			atts = append(atts, a)
		}
		return func() {
			if cm.closed {
				return
			}
			cm.atts = append(cm.atts, atts...)
			cm.showAttachmentList()
			cm.changed()
			if err := errors.Join(errs...); err != nil {
				dialog.ShowError(err, cm.win)
			}
		}
	})
}
