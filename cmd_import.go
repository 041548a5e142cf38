package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"facteur/mailstore"
	"facteur/mua/mailer"
)

func cmdImport(e *env) error {
	fs := newFlags(e, "import")
	folder := fs.String("folder", "", "folder to import into: NAME in the Local account, or ACCOUNT/NAME of a configured account's folder, created when missing, whose server gets the messages (default: named after FILE)")
	quiet := fs.Bool("quiet", false, "no progress line")
	dups := fs.Bool("allow-duplicates", false, "import messages even when the folder holds the same content already")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usageError{"usage: facteur " + importUsage}
	}
	src := args[0]
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		name := *folder
		if name == "" {
			name = folderNameFor(src)
		}
		ref, err := importFolder(e, m, name)
		if err != nil {
			return err
		}
		pl := newProgressLine(e.stderr, "importing into "+ref.String(), *quiet)
		st, ch, err := m.Import(e.ctx, ref, src, mailstore.ImportOptions{Progress: pl.update, AllowDuplicates: *dups})
		pl.finish()
		fmt.Fprintln(e.stdout, importSummary(st, ref))
		if len(ch.Journaled) > 0 {
			pushed(e, m, ch)
		}
		if err != nil && st.Messages == 0 {
			return fmt.Errorf("import %s: %w", src, err)
		}
		if err != nil {
			return fmt.Errorf("import %s stopped: %w\n"+
				"the %d messages imported are stored and indexed; run the same import again to add the rest "+
				"(what the folder holds already is skipped)", src, err, st.Messages)
		}
		return nil
	})
}

const importUsage = "import [--folder NAME] [--allow-duplicates] FILE|DIR"

// importFolder is the folder an import goes into: an existing folder by
// its full name (ACCOUNT/NAME, Local's without its account), else
// ACCOUNT/NAME of a configured account (created there, and on its server,
// by the import), else NAME in the Local account.
func importFolder(e *env, m *mailer.Mailer, name string) (mailstore.FolderRef, error) {
	ref, err := resolveFolder(e, m.Store(), name)
	if err != nil || ref.Account != localAccount || ref.Name != name {
		return ref, err // an existing folder
	}
	if _, _, err := m.Store().Count(e.ctx, ref); err == nil {
		return ref, nil // Local's existing NAME
	}
	acct, rest, ok := strings.Cut(name, "/")
	if !ok || rest == "" {
		return ref, nil
	}
	if acct == localAccount {
		return mailstore.FolderRef{Account: localAccount, Name: rest}, nil
	}
	list, err := m.Accounts()
	if err != nil {
		return ref, err
	}
	for _, a := range list {
		if a.Name == acct {
			return mailstore.FolderRef{Account: acct, Name: rest}, nil
		}
	}
	return ref, nil
}

// importSummary is the line that says what an import did, with exact
// counts: "imported 3 messages (12.0 kB) into Local/x; 2 already there,
// skipped; 1 could not be stored".
func importSummary(st mailstore.ImportStats, ref mailstore.FolderRef) string {
	s := fmt.Sprintf("imported %d messages (%s) into %s", st.Messages, humanBytes(st.Bytes), ref)
	if st.Duplicates > 0 {
		s += fmt.Sprintf("; %d already there, skipped", st.Duplicates)
	}
	if st.Failed > 0 {
		s += fmt.Sprintf("; %d could not be stored", st.Failed)
	}
	if st.Problems > 0 {
		s += fmt.Sprintf("; %d could not be read completely and were kept as they are", st.Problems)
	}
	return s
}

// folderNameFor names the folder after the imported file or directory:
// "archive.mbox" -> "archive", "~/Mail/work/" -> "work".
func folderNameFor(path string) string {
	base := filepath.Base(filepath.Clean(path))
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "Imported"
	}
	return base
}

// progressLine prints a self-overwriting progress line at most every 200 ms.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	off   bool
	last  time.Time
	wrote bool
}

func newProgressLine(w io.Writer, label string, off bool) *progressLine {
	return &progressLine{w: w, label: label, off: off}
}

func (p *progressLine) update(pr mailstore.Progress) {
	if p.off {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.wrote = true
	fmt.Fprintf(p.w, "\r%s: %s\033[K", p.label, progressText(pr))
}

func (p *progressLine) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wrote {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// progressText is "12,345 messages, 210.3 MB of 1.2 GB (17%)".
func progressText(pr mailstore.Progress) string {
	s := fmt.Sprintf("%s messages", groupDigits(pr.Done))
	if pr.Total > 0 {
		s = fmt.Sprintf("%s of %s messages", groupDigits(pr.Done), groupDigits(pr.Total))
	}
	if pr.TotalBytes > 0 {
		pct := float64(pr.Bytes) * 100 / float64(pr.TotalBytes)
		s += fmt.Sprintf(", %s of %s (%.0f%%)", humanBytes(pr.Bytes), humanBytes(pr.TotalBytes), pct)
	} else if pr.Bytes > 0 {
		s += ", " + humanBytes(pr.Bytes)
	}
	return s
}

func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

func groupDigits(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
