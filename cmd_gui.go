package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"

	"facteur/app"
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
	}()
	defer func() { cancel(); <-done }()
	mta := &app.MTAOptions{
		Dir:          p.MTADir(),
		Load:         mtaLoader(p, s, slog.Default(), mailsys.DefaultSettings(localLogin())),
		LocalAddress: localAddress(),
		Logger:       slog.Default(),
	}
	return app.Run(app.Options{Profile: p.Dir, Store: s, Version: Version, DNSServer: os.Getenv(dnsEnv), MTA: mta,
		LocalAddress: localAddress(), Compose: draft})
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
	s, dir, err := screenshotStore(e)
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

// screenshotStore opens the --profile given, or else a fresh demo profile in a
// temporary directory, and seeds the demo mailbox when it is empty.
func screenshotStore(e *env) (*mailstore.Store, string, error) {
	dir := e.profile
	if dir == "" && os.Getenv(profile.EnvVar) == "" {
		tmp, err := os.MkdirTemp("", "facteur-demo-")
		if err != nil {
			return nil, "", err
		}
		dir = tmp
	}
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
	tmp, err := os.CreateTemp(filepath.Dir(path), ".facteur-shot-*.png")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
