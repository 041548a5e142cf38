package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"fyne.io/fyne/v2"

	"facteur/app"
	"facteur/internal/atomicfile"
	"facteur/internal/profile"
	"facteur/localmta/mailsys"
	"facteur/mailstore"
	"facteur/mua/compose"
	"facteur/mua/demo"
)

// dnsEnv names the environment variable that points the GUI's DNS look-ups
// (the header inspector) at a server other than the system's.
const dnsEnv = "FACTEUR_DNS"

// cmdGUI opens the main window. A first run on an empty profile gets the demo
// mailbox, so that there is something to read at once. Changes that other
// programs (mutt, Dovecot, the local MDA) made to the Maildirs while Facteur
// was closed are picked up in the background while the window opens.
func cmdGUI(e *env) error {
	return runGUI(e, nil)
}

// runGUI opens the main window, and a composer on draft when it is not nil.
func runGUI(e *env, draft *compose.Draft) error {
	s, p, err := openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := demo.Seed(e.ctx, s); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := s.Rescan(ctx, nil); err != nil && ctx.Err() == nil {
			slog.Warn("rescan of the mail folders failed", "err", err)
		}
		// The rescan listed every file of every folder (about 1 KB a
		// message, 110 MB for 100,000) and read every row of the index
		// through the writer's page cache: give that memory back to the
		// system now rather than keep it as heap the window never needs
		// again (bench/gui-rss.sh).
		if err := s.ReleaseMemory(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("releasing the index's caches failed", "err", err)
		}
		debug.FreeOSMemory()
	}()
	defer func() { cancel(); <-done }()
	// one mailer for the window and the MTA's outbox: one sync state, one
	// set of secrets, and the outbox's Sent copies pushed by the window's
	// watcher
	m, err := openMailer(e, p, s)
	if err != nil {
		return err
	}
	defer m.Close()
	mta := &app.MTAOptions{
		Dir:          p.MTADir(),
		Load:         mtaLoader(m, mailsys.DefaultSettings(localLogin())),
		LocalAddress: localAddress(),
		Logger:       slog.Default(),
	}
	return app.Run(app.Options{Profile: p.Dir, Store: s, Version: Version, DNSServer: os.Getenv(dnsEnv), MTA: mta,
		LocalAddress: localAddress(), Compose: draft, Mailer: m})
}

func cmdScreenshot(e *env) error {
	fs := newFlags(e, "screenshot")
	out := fs.String("out", "", "PNG file to write")
	view := fs.String("view", "main", "view to render: "+strings.Join(app.Views(), ", "))
	dark := fs.Bool("dark", false, "dark theme")
	size := fs.String("size", "1280x800", "window size WIDTHxHEIGHT")
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"usage: facteur screenshot --out FILE.png --view NAME"}
	}
	var w, h float32
	if _, err := fmt.Sscanf(*size, "%fx%f", &w, &h); err != nil || w < 200 || h < 200 {
		return usageError{fmt.Sprintf("--size %q: want WIDTHxHEIGHT, at least 200x200", *size)}
	}
	dir, cleanup, err := screenshotProfile(e)
	if err != nil {
		return err
	}
	defer cleanup() // after the store is closed: Windows removes no open file
	s, dir, err := screenshotStore(e, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	img, err := app.Screenshot(app.Options{Profile: dir, Store: s, Version: Version}, *view, fyne.NewSize(w, h), *dark)
	if err != nil {
		return err
	}
	return writePNG(*out, img)
}

// screenshotProfile is the --profile given, or else a fresh temporary
// directory that cleanup removes.
func screenshotProfile(e *env) (dir string, cleanup func(), err error) {
	if e.profile != "" || os.Getenv(profile.EnvVar) != "" {
		return e.profile, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "facteur-demo-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// screenshotStore opens the profile dir (the default one when empty) and
// seeds the demo mailbox when it is empty.
func screenshotStore(e *env, dir string) (*mailstore.Store, string, error) {
	e2 := *e
	e2.profile = dir
	s, p, err := openStore(&e2)
	if err != nil {
		return nil, "", err
	}
	if _, err := demo.Seed(e.ctx, s); err != nil {
		s.Close()
		return nil, "", err
	}
	return s, p.Dir, nil
}

// writePNG writes img atomically: a temporary file beside path, then rename.
func writePNG(path string, img image.Image) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		if err := png.Encode(w, img); err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		return nil
	})
}
