package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	_ "image/gif"  // GIF images of messages
	_ "image/jpeg" // JPEG images of messages
	_ "image/png"  // PNG images of messages
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"

	"facteur/internal/htmldoc"
	"facteur/internal/message"
)

// maxImageBytes bounds an image of a message that the reader decodes;
// maxImagePixels bounds its size once decoded (a small file can claim a
// huge picture).
const (
	maxImageBytes  = 8 << 20
	maxImagePixels = 25_000_000
)

// errNotImage is an image source that does not hold a picture the reader
// can draw.
var errNotImage = errors.New("not an image the reader can draw")

// loadedImage is an image of a message ready to draw: its bytes as a
// resource, and its size in pixels.
type loadedImage struct {
	res  fyne.Resource
	w, h int
}

// newLoadedImage checks that data is a PNG, JPEG or GIF image of a
// reasonable size.
func newLoadedImage(name string, data []byte) (*loadedImage, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxImagePixels {
		return nil, errNotImage
	}
	return &loadedImage{res: fyne.NewStaticResource(name, data), w: cfg.Width, h: cfg.Height}, nil
}

// size is the size an image takes: the width the HTML gave (or its own),
// at most maxImageWidth, the height in proportion.
func (li *loadedImage) size(im *htmldoc.Image) fyne.Size {
	w, h := float32(li.w), float32(li.h)
	if im.Width > 0 {
		w = float32(im.Width)
		h = w * float32(li.h) / float32(li.w)
		if im.Height > 0 {
			h = float32(im.Height)
		}
	}
	if w > maxImageWidth {
		h = h * maxImageWidth / w
		w = maxImageWidth
	}
	return fyne.NewSize(w, h)
}

// localImages loads the images of a document that are in the message: cid:
// parts (RFC 2392) and data: URLs. open opens the stored message again; it
// runs in the background.
func localImages(ctx context.Context, d *htmldoc.Document, parts []message.Part, open func(context.Context) (io.ReadCloser, error)) map[string]*loadedImage {
	out := map[string]*loadedImage{}
	for _, im := range d.Images {
		if _, done := out[im.Src]; done || im.Tracking || ctx.Err() != nil {
			continue
		}
		var li *loadedImage
		switch {
		case strings.HasPrefix(strings.ToLower(im.Src), "cid:"):
			li = cidImage(ctx, im.Src, parts, open)
		case strings.HasPrefix(strings.ToLower(im.Src), "data:"):
			li = dataImage(im.Src)
		default:
			continue
		}
		out[im.Src] = li // nil when it could not be read: the alt text shows
	}
	return out
}

// cidImage reads the part whose Content-ID a cid: URL names.
func cidImage(ctx context.Context, src string, parts []message.Part, open func(context.Context) (io.ReadCloser, error)) *loadedImage {
	id := cidOf(src)
	for _, p := range parts {
		if p.ContentID == "" || !strings.EqualFold(p.ContentID, id) {
			continue
		}
		rc, err := open(ctx)
		if err != nil {
			return nil
		}
		defer rc.Close()
		_, r, err := message.OpenPart(rc, p.Path)
		if err != nil {
			return nil
		}
		data, err := io.ReadAll(io.LimitReader(r, maxImageBytes+1))
		if err != nil || len(data) > maxImageBytes {
			return nil
		}
		li, _ := newLoadedImage(partName(p), data)
		return li
	}
	return nil
}

// cidOf returns the Content-ID a cid: URL names: its %-escapes undone
// (RFC 2392 section 2).
func cidOf(src string) string {
	id := src[len("cid:"):]
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		if id[i] == '%' && i+2 < len(id) {
			if c, err := strconv.ParseUint(id[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(c))
				i += 2
				continue
			}
		}
		b.WriteByte(id[i])
	}
	return strings.Trim(b.String(), "<>")
}

// dataImage decodes a data: URL that the sanitizer let through (a base64
// PNG, GIF, JPEG or WebP).
func dataImage(src string) *loadedImage {
	_, b64, ok := strings.Cut(src, ",")
	if !ok || len(b64) > maxImageBytes*4/3+4 {
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil
	}
	li, _ := newLoadedImage("image", data)
	return li
}
