package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

// progressEvery is the shortest interval between two progress redraws.
const progressEvery = 50 * time.Millisecond

// importAccount receives imports, like `facteur import`.
const importAccount = "Local"

// showImport asks for an mbox or .eml file to import (Ctrl+I).
func (c *controller) showImport() {
	c.chooseMailFile(lang.L("Import mbox or .eml file…"), func(path string) { c.confirmImport(path) })
}

// showImportFolder asks for a Maildir directory to import.
func (c *controller) showImportFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			c.showError(err)
			return
		}
		c.confirmImport(l.Path())
	}, c.win)
	d.Show()
}

// dropped imports the files (mbox, .eml) or Maildirs dropped on the
// window: into the folder under the pointer, else the folder shown; when
// neither can take them (an IMAP account's folder, a virtual folder), it
// asks for a folder of the Local account, as File > Import does.
func (c *controller) dropped(at fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	if dest, ok := c.dropImportFolder(at); ok {
		c.startImports(paths, dest)
		return
	}
	c.confirmImport(paths...)
}

// dropImportFolder is the folder that files dropped at a position go
// into: the folder under the pointer, else the folder shown (an IMAP
// account's server gets them too: importInto).
func (c *controller) dropImportFolder(at fyne.Position) (mailstore.FolderRef, bool) {
	ref, ok := c.current, c.virt.current == ""
	if row := c.folderRowAt(at); row != nil {
		f, found := c.folderByUID(row.uid)
		ref, ok = f.Ref, found
	}
	if _, known := c.folder(ref); !ok || !known {
		return mailstore.FolderRef{}, false
	}
	return ref, true
}

// importFolderName is the default destination: the file's name without its
// extension, as `facteur import` does.
func importFolderName(path string) string {
	base := filepath.Base(filepath.Clean(path))
	ext := strings.ToLower(filepath.Ext(base))
	switch ext {
	case ".eml":
		return "Imported"
	case ".mbox", ".mbx", ".mbs":
		base = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "Imported"
	}
	return base
}

// confirmImport asks for the destination folder, then imports paths.
func (c *controller) confirmImport(paths ...string) {
	name := widget.NewEntry()
	name.SetText(importFolderName(paths[0]))
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("File"), widget.NewLabel(baseNames(paths))),
		widget.NewFormItem(lang.L("Into folder"), name),
	}
	dialog.ShowForm(lang.L("Import mail"), lang.L("Import"), lang.L("Cancel"), items, func(ok bool) {
		folder := strings.TrimSpace(name.Text)
		if ok && folder != "" {
			c.startImports(paths, mailstore.FolderRef{Account: importAccount, Name: folder})
		}
	}, c.win)
}

// baseNames are the names of the files at paths, without their folders.
func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

// startImport imports path into dest in the background, with a progress dialog
// that can cancel it; the window stays responsive.
func (c *controller) startImport(path string, dest mailstore.FolderRef) {
	c.startImports([]string{path}, dest)
}

// startImports imports the files at paths into dest one after the other,
// with one progress dialog.
func (c *controller) startImports(paths []string, dest mailstore.FolderRef) {
	ctx, cancel := context.WithCancel(c.ctx)
	p := newProgressDialog(c.win, lang.L("Importing {{.Name}}", map[string]any{"Name": baseNames(paths)}), cancel)
	p.show()
	report := throttled(progressEvery, func(pr mailstore.Progress) {
		c.work.post(func() { p.update(pr) })
	})
	c.work.bg(func(context.Context) func() {
		defer cancel()
		var total mailstore.ImportStats
		var err error
		for _, path := range paths {
			var st mailstore.ImportStats
			st, err = c.importInto(ctx, dest, path, report)
			total = addImportStats(total, st)
			if err != nil {
				break
			}
		}
		return func() {
			p.hide()
			c.importDone(dest, total, err)
		}
	})
}

// addImportStats adds the counts of two imports.
func addImportStats(a, b mailstore.ImportStats) mailstore.ImportStats {
	return mailstore.ImportStats{Messages: a.Messages + b.Messages, Problems: a.Problems + b.Problems,
		Duplicates: a.Duplicates + b.Duplicates, Failed: a.Failed + b.Failed, Bytes: a.Bytes + b.Bytes}
}

func (c *controller) importInto(ctx context.Context, dest mailstore.FolderRef, path string, report func(mailstore.Progress)) (mailstore.ImportStats, error) {
	m, err := c.mailer() // one path with `facteur import`: an IMAP account's server gets them too
	if err != nil {
		return mailstore.ImportStats{}, err
	}
	st, _, err := m.Import(ctx, dest, path, mailstore.ImportOptions{Progress: report})
	return st, err
}

// importDone reports the end of an import and shows the folder.
func (c *controller) importDone(dest mailstore.FolderRef, stats mailstore.ImportStats, err error) {
	c.loadFolders(false)
	if c.listing.kind == listFolder && c.current == dest {
		c.reloadList(true)
	}
	summary := lang.N("{{.Count}} messages / {{.Size}}", stats.Messages, map[string]any{
		"Count": formatCount(stats.Messages), "Size": formatSize(stats.Bytes)})
	switch {
	case errors.Is(err, context.Canceled):
		dialog.ShowInformation(lang.L("Import cancelled"),
			lang.L("Import cancelled; what was imported stays: {{.Summary}}.", map[string]any{"Summary": summary}), c.win)
	case err != nil:
		c.showError(err)
	default:
		text := lang.L("Imported {{.Summary}} into {{.Folder}}.", map[string]any{"Summary": summary, "Folder": dest.Name})
		if stats.Problems > 0 {
			text += "\n" + lang.N("{{.Count}} messages could not be read completely; they are kept as they are.",
				stats.Problems, map[string]any{"Count": formatCount(stats.Problems)})
		}
		dialog.ShowInformation(lang.L("Import finished"), text, c.win)
	}
}

// showExport writes the current folder to an mbox file the user picks.
func (c *controller) showExport() {
	f, ok := c.folder(c.current)
	if !ok {
		return
	}
	c.chooseMboxFile(f.Ref.Name+".mbox", func(w fyne.URIWriteCloser) { c.startExport(f, w) })
}

func (c *controller) startExport(f mailstore.Folder, w fyne.URIWriteCloser) {
	ctx, cancel := context.WithCancel(c.ctx)
	p := newProgressDialog(c.win, lang.L("Exporting {{.Name}}", map[string]any{"Name": folderName(f)}), cancel)
	p.show()
	c.work.bg(func(context.Context) func() {
		defer cancel()
		n, err := c.store.ExportMbox(ctx, f.Ref, w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return func() {
			p.hide()
			if err != nil {
				c.showError(err)
				return
			}
			dialog.ShowInformation(lang.L("Export finished"), lang.N("{{.Count}} messages written to {{.File}}.",
				n, map[string]any{"Count": formatCount(n), "File": w.URI().Name()}), c.win)
		}
	})
}

// throttled passes progress on at most once per interval; the first call
// always passes.
func throttled(every time.Duration, fn func(mailstore.Progress)) func(mailstore.Progress) {
	var mu sync.Mutex
	var last time.Time
	return func(p mailstore.Progress) {
		mu.Lock()
		now := time.Now()
		due := now.Sub(last) >= every
		if due {
			last = now
		}
		mu.Unlock()
		if due {
			fn(p)
		}
	}
}

// progressDialog shows a long job: a bar (or an activity bar when the total
// is unknown), counts, and Cancel.
type progressDialog struct {
	d      dialog.Dialog
	bar    *widget.ProgressBar
	spin   *widget.ProgressBarInfinite
	label  *widget.Label
	cancel *widget.Button
}

func newProgressDialog(win fyne.Window, title string, cancel func()) *progressDialog {
	p := &progressDialog{
		bar:   widget.NewProgressBar(),
		spin:  widget.NewProgressBarInfinite(),
		label: widget.NewLabel(lang.L("Starting…")),
	}
	p.bar.Hide()
	p.cancel = widget.NewButton(lang.L("Cancel"), func() {
		cancel()
		p.cancel.Disable()
		p.label.SetText(lang.L("Cancelling…"))
	})
	body := container.NewVBox(container.NewStack(p.bar, p.spin), p.label, container.NewCenter(p.cancel))
	p.d = dialog.NewCustomWithoutButtons(title, body, win)
	p.d.Resize(fyne.NewSize(440, p.d.MinSize().Height))
	return p
}

func (p *progressDialog) show() { p.d.Show() }

func (p *progressDialog) hide() {
	p.spin.Stop()
	p.d.Hide()
}

// update shows a progress report.
func (p *progressDialog) update(pr mailstore.Progress) {
	if p.cancel.Disabled() {
		return
	}
	frac := -1.0
	switch {
	case pr.TotalBytes > 0:
		frac = float64(pr.Bytes) / float64(pr.TotalBytes)
	case pr.Total > 0:
		frac = float64(pr.Done) / float64(pr.Total)
	}
	if frac >= 0 {
		p.spin.Stop()
		p.spin.Hide()
		p.bar.Show()
		p.bar.SetValue(min(frac, 1))
	}
	p.label.SetText(progressText(pr))
}

// progressText is "12,345 messages / 210 MB", with the total when known.
func progressText(pr mailstore.Progress) string {
	data := map[string]any{"Count": formatCount(pr.Done), "Size": formatSize(pr.Bytes)}
	if pr.TotalBytes > 0 {
		data["Total"] = formatSize(pr.TotalBytes)
		return lang.N("{{.Count}} messages / {{.Size}} of {{.Total}}", pr.Done, data)
	}
	return lang.N("{{.Count}} messages / {{.Size}}", pr.Done, data)
}
