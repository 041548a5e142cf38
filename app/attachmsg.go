package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mailstore"
	"facteur/mua/inspect"
	"facteur/mua/invite"
)

// A message attached to another (message/rfc822, RFC 2046 §5.2.1, or a
// .eml file) opens in Facteur's own window, with the header inspector,
// rather than in whatever the desktop associates with .eml.

// isMessagePart tells an attached message.
func isMessagePart(p message.Part) bool {
	switch p.ContentType {
	case "message/rfc822", "message/global":
		return true
	}
	return strings.EqualFold(path.Ext(p.Filename), ".eml")
}

// openAttachedMessage reads part p of the message in the reader and shows
// it in a window of its own.
func (c *controller) openAttachedMessage(p message.Part) {
	id, loc := c.selID, c.now().Location()
	c.work.bg(func(ctx context.Context) func() {
		var buf bytes.Buffer
		err := c.copyPart(ctx, id, p.Path, &limitedWriter{w: &buf, n: maxInspectSize})
		var m *message.Message
		var cal *attachedCal
		if err == nil {
			m, err = message.Parse(bytes.NewReader(buf.Bytes()), message.Options{MaxText: maxBodyText})
		}
		if err == nil {
			cal = readAttachedCal(buf.Bytes(), m, loc)
		}
		return func() {
			if err != nil {
				c.showError(err)
				return
			}
			c.showAttachedMessage(buf.Bytes(), m, cal)
		}
	})
}

// attachedCal is the invitation of an attached message, or why it could
// not be read.
type attachedCal struct {
	inv *invite.Invitation
	err error
}

// readAttachedCal reads the invitation of an attached message, times in
// loc; nil when it has none.
func readAttachedCal(raw []byte, m *message.Message, loc *time.Location) *attachedCal {
	part, ok := invite.CalendarPart(m.Attachments)
	if !ok {
		return nil
	}
	inv, err := invite.ParsePart(bytes.NewReader(raw), part.Path, invite.Options{Location: loc})
	return &attachedCal{inv: inv, err: err}
}

// limitedWriter keeps the first n bytes and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int64
}

func (l *limitedWriter) Write(b []byte) (int, error) {
	if l.n <= 0 {
		return len(b), nil
	}
	k := min(int64(len(b)), l.n)
	l.n -= k
	if _, err := l.w.Write(b[:k]); err != nil {
		return 0, err
	}
	return len(b), nil
}

// showAttachedMessage opens a window on an attached message: its header,
// the card of its invitation (cal, nil when none) without the answer
// buttons (the answer goes from the invitation's own message), its text,
// the names of its own attachments, and Inspect.
func (c *controller) showAttachedMessage(raw []byte, m *message.Message, cal *attachedCal) fyne.Window {
	subject := rowSubject(m.Subject)
	w := c.app.NewWindow(lang.L("Attached message: {{.Subject}}", map[string]any{"Subject": subject}))
	title := selectableLabel()
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	title.SetText(subject)
	field := func(text string) *selLabel {
		l := selectableLabel()
		l.SetText(text)
		return l
	}
	headers := container.New(layout.NewFormLayout(),
		keyLabel(lang.L("From")), field(formatAddresses(m.From)),
		keyLabel(lang.L("To")), field(formatAddresses(m.To)),
		keyLabel(lang.L("Date")), field(formatLongDate(m.Date)),
	)
	page := container.NewVBox(title, headers)
	if cal != nil {
		k := c.newInviteCard()
		k.fill(cal.inv, cal.err, true)
		page.Add(k.box)
	}
	if len(m.Attachments) > 0 {
		var names []string
		for _, p := range m.Attachments {
			names = append(names, partName(p)+"  ("+formatSize(p.Size)+")")
		}
		page.Add(keyLabel(lang.L("Attachments")))
		page.Add(field(strings.Join(names, "\n")))
	}
	page.Add(widget.NewSeparator())
	page.Add(field(bodyText(m)))
	inspectBtn := widget.NewButtonWithIcon(lang.L("Inspect"), theme.InfoIcon(), func() {
		c.inspectAttached(subject, raw)
	})
	inspectBtn.Importance = widget.LowImportance
	w.SetContent(container.NewBorder(container.NewHBox(inspectBtn), nil, nil, nil, container.NewVScroll(page)))
	w.Resize(fyne.NewSize(720, 600))
	closeOnEscape(w)
	w.Show()
	return w
}

// inspectAttached shows an attached message in the inspector.
func (c *controller) inspectAttached(subject string, raw []byte) {
	s := mailstore.Summary{Subject: subject}
	c.inspectorWindow().startWith(s, func(_ context.Context, opt inspect.Options) (*inspect.Report, error) {
		return inspect.Analyze(bytes.NewReader(raw), opt)
	})
}

// openFileError is the sentence of a failure to open a file with the
// desktop's application.
func openFileError(err error) error {
	if errors.Is(err, exec.ErrNotFound) {
		return errors.New(lang.L("No program is set to open this file: xdg-open (from xdg-utils) is not installed. Save the attachment and open it from your file manager."))
	}
	return err
}

// closeOnEscape closes a secondary window on Escape (a focused entry of
// it keeps the key).
func closeOnEscape(w fyne.Window) {
	w.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			w.Close()
		}
	})
}
