package app

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mailstore"
)

// maxSourceText bounds the raw text a View source window lays out.
const maxSourceText = 2 << 20

// showAttachments lists the attachments with their sizes, Save and Open.
func (c *controller) showAttachments(parts []message.Part) {
	r := c.ui.reader
	r.attachments.RemoveAll()
	for _, p := range parts {
		r.attachments.Add(c.attachmentRow(p))
	}
	setVisible(r.attachmentsBlock, len(parts) > 0)
}

func (c *controller) attachmentRow(p message.Part) fyne.CanvasObject {
	info := formatSize(p.Size)
	if p.ContentType != "" {
		info = p.ContentType + ", " + info
	}
	name := widget.NewLabel(partName(p) + "  (" + info + ")")
	name.Truncation = fyne.TextTruncateEllipsis
	save := widget.NewButtonWithIcon(lang.L("Save…"), theme.DocumentSaveIcon(), func() { c.saveAttachment(p) })
	open := widget.NewButtonWithIcon(lang.L("Open"), theme.FileIcon(), func() { c.openAttachment(p) })
	buttons := container.NewHBox(save, open)
	icon := container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding()-theme.Padding(), 0),
		widget.NewIcon(theme.MailAttachmentIcon()))
	return container.NewBorder(nil, nil, icon, buttons, name)
}

// partName is a file name for a part, never empty and never a path.
func partName(p message.Part) string {
	name := strings.TrimSpace(p.Filename)
	name = strings.NewReplacer("/", "_", "\\", "_", "\x00", "_").Replace(name)
	if name == "" && (p.ContentType == "text/calendar" || p.ContentType == "application/ics") {
		return "invite.ics" // an invitation's calendar (RFC 6047) comes without a name
	}
	if name == "" || name == "." || name == ".." {
		name = lang.L("attachment")
		if p.Path != "" {
			name += "-" + p.Path
		}
	}
	return name
}

// saveAttachment asks where to write a part and writes it there.
func (c *controller) saveAttachment(p message.Part) {
	id := c.selID
	c.saveAs(partName(p), func(ctx context.Context, w io.Writer) error {
		return c.copyPart(ctx, id, p.Path, w)
	})
}

// saveAs asks where to save a file named name, then writes it with write
// in the background; an error is shown.
func (c *controller) saveAs(name string, write func(ctx context.Context, w io.Writer) error) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			c.showError(err)
			return
		}
		c.work.bg(func(ctx context.Context) func() {
			err := write(ctx, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return func() { c.showError(err) }
		})
	}, c.win)
	d.SetFileName(name)
	d.Show()
}

// openAttachment opens an attached message in Facteur's own window;
// another part is written to a temporary file and opened with the
// desktop's application for its type.
func (c *controller) openAttachment(p message.Part) {
	if isMessagePart(p) {
		c.openAttachedMessage(p)
		return
	}
	id := c.selID
	c.work.bg(func(ctx context.Context) func() {
		path, err := c.partToTemp(ctx, id, p)
		return func() {
			if err != nil {
				c.showError(err)
				return
			}
			c.showError(openFileError(c.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)})))
		}
	})
}

func (c *controller) partToTemp(ctx context.Context, id int64, p message.Part) (string, error) {
	dir, err := os.MkdirTemp("", "facteur-attachment-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, partName(p))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	err = c.copyPart(ctx, id, p.Path, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, err
}

// copyPart writes the decoded content of one part of message id to w.
func (c *controller) copyPart(ctx context.Context, id int64, path string, w io.Writer) error {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, r, err := message.OpenPart(rc, path)
	if err != nil {
		return fmt.Errorf("%s: %w", lang.L("The attachment could not be read"), err)
	}
	_, err = io.Copy(w, r)
	return err
}

// showSource opens a window with the raw message, monospace and read only
// (sourceview.go).
func (c *controller) showSource() { c.showSourceOf(c.ui.reader.sum) }

// showSourceOf opens the raw text of message s in a window.
func (c *controller) showSourceOf(s mailstore.Summary) {
	if s.ID == 0 {
		return
	}
	w := c.app.NewWindow(lang.L("Source: {{.Subject}}", map[string]any{"Subject": rowSubject(s.Subject)}))
	text := newRawView(lang.L("Loading…"), w.Close)
	w.SetContent(text)
	w.Resize(fyne.NewSize(760, 600))
	closeOnEscape(w)
	w.Show()
	c.work.bg(func(ctx context.Context) func() {
		raw, err := c.readSource(ctx, s.ID)
		return func() {
			if err != nil {
				text.SetText(err.Error())
				return
			}
			text.SetText(raw)
		}
	})
}

// readSource reads the raw message as text, up to maxSourceText bytes.
func (c *controller) readSource(ctx context.Context, id int64) (string, error) {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxSourceText+1))
	if err != nil {
		return "", err
	}
	truncated := len(b) > maxSourceText
	if truncated {
		b = b[:maxSourceText]
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if truncated {
		text += "\n" + lang.L("[truncated]")
	}
	return strings.ToValidUTF8(text, "\uFFFD"), nil
}
