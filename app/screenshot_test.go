package app

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"facteur/mailstore"
	"facteur/mua/demo"
)

// shotsDir receives the screenshots when FACTEUR_SHOTS names a directory
// (e.g. /tmp/facteur-shots), for a person to look at them.
func shotsDir(t *testing.T) string {
	if d := os.Getenv("FACTEUR_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func TestScreenshotEveryView(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := mailstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	out := shotsDir(t)
	size := fyne.NewSize(1280, 800)
	for _, view := range Views() {
		for _, dark := range []bool{false, true} {
			img, err := Screenshot(Options{Profile: dir, Store: s, Version: "0.1.0"}, view, size, dark)
			if err != nil {
				t.Fatalf("%s: %v", view, err)
			}
			if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
				t.Errorf("%s: image is %v", view, b)
			}
			if distinctColors(img) < 8 {
				t.Errorf("%s: the image is almost blank", view)
			}
			name := fmt.Sprintf("%s-%s.png", view, map[bool]string{false: "light", true: "dark"}[dark])
			writeTestPNG(t, filepath.Join(out, name), img)
		}
	}
	// The screenshots never change the store.
	if _, unread, _ := s.Count(ctx, inboxRef); unread == 0 {
		t.Error("Screenshot marked the inbox read")
	}
	if _, err := Screenshot(Options{Store: s}, "nope", size, false); err == nil {
		t.Error("an unknown view was accepted")
	}
}

func distinctColors(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func writeTestPNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
