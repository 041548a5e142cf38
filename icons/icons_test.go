package icons

import (
	"bytes"
	"image/png"
	"testing"
)

func TestAppIconIsSquarePNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(App.Content()))
	if err != nil {
		t.Fatalf("App icon is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 256 {
		t.Fatalf("App icon is %dx%d, want a square of at least 256 px", b.Dx(), b.Dy())
	}
	if !bytes.Contains(AppSVG.Content(), []byte("<svg")) {
		t.Fatal("AppSVG is not an SVG document")
	}
}
