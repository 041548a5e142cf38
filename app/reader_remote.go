package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/htmldoc"
	"facteur/internal/message"
)

// prefRemoteSenders lists the senders whose remote content the user always
// loads (lower-case addresses).
const prefRemoteSenders = "remoteContentSenders"

// Limits on the remote content of a message: images only (the sanitizer
// keeps no style sheet, font or frame), each at most maxImageBytes, fetched
// within remoteImageTimeout, remoteWorkers at a time, at most
// maxRemoteImages per message.
const (
	maxRemoteImages    = 100
	remoteImageTimeout = 15 * time.Second
	remoteWorkers      = 4
	maxRedirects       = 5
)

var (
	errTooManyRedirects = errors.New("too many redirects")
	errRemoteStatus     = errors.New("the server did not send the image")
	errRemoteTooBig     = errors.New("the image is larger than the limit")
)

// remoteLoad is what loading the remote content of a message did.
type remoteLoad struct {
	loaded, failed int
	tracking       int // images found to be 1×1 or 2×2 once fetched, or marked so in the HTML
}

// newRemoteClient is the HTTP client of remote content: no cookie jar, no
// Referer (not even on redirects), a time limit.
func newRemoteClient() *http.Client {
	return &http.Client{
		Timeout: remoteImageTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errTooManyRedirects
			}
			req.Header.Del("Referer") // net/http sets it on redirects
			return nil
		},
	}
}

// fetchImage gets one remote image, at most maxImageBytes.
func fetchImage(ctx context.Context, client *http.Client, src string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "image/png,image/jpeg,image/gif")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s", errRemoteStatus, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxImageBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxImageBytes {
		return nil, errRemoteTooBig
	}
	return data, nil
}

// remoteImages fetches the remote images of a document, tracking images
// left out; images that turn out to be 1×1 or 2×2 are dropped as tracking.
func remoteImages(ctx context.Context, client *http.Client, d *htmldoc.Document) (map[string]*loadedImage, remoteLoad) {
	var st remoteLoad
	var srcs []string
	for _, im := range d.Images {
		switch {
		case im.Tracking:
			st.tracking++
		case im.Remote() && !slices.Contains(srcs, im.Src) && len(srcs) < maxRemoteImages:
			srcs = append(srcs, im.Src)
		}
	}
	out := map[string]*loadedImage{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, remoteWorkers)
	for _, src := range srcs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			li := loadRemote(ctx, client, src)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case li == nil:
				st.failed++
			case li.w <= 2 && li.h <= 2:
				st.tracking++
			default:
				st.loaded++
				out[src] = li
			}
		})
	}
	wg.Wait()
	return out, st
}

func loadRemote(ctx context.Context, client *http.Client, src string) *loadedImage {
	data, err := fetchImage(ctx, client, src)
	if err != nil {
		return nil
	}
	li, err := newLoadedImage("remote", data)
	if err != nil {
		return nil
	}
	return li
}

// senderKey is the address whose remote content "Always for this sender"
// allows.
func senderKey(m *message.Message) string {
	if len(m.From) == 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(m.From[0].Addr))
}

// remoteAllowed reports whether the user always loads the remote content of
// the sender of m.
func (c *controller) remoteAllowed(m *message.Message) bool {
	k := senderKey(m)
	return k != "" && slices.Contains(c.settings.StringList(prefRemoteSenders), k)
}

// allowSender loads the remote content of m's sender from now on.
func (c *controller) allowSender(m *message.Message) {
	k := senderKey(m)
	if list := c.settings.StringList(prefRemoteSenders); k != "" && !slices.Contains(list, k) {
		c.settings.SetStringList(prefRemoteSenders, append(list, k))
	}
}

// remoteBar is the bar over an HTML body whose remote content is blocked.
type remoteBar struct {
	box         *fyne.Container
	text        *widget.Label
	load, trust *widget.Button
}

// newRemoteBar is the reader's bar.
func (c *controller) newRemoteBar() *remoteBar {
	return newRemoteBarFor(func(always bool) { c.loadRemote(c.readerBody(), always) })
}

// newRemoteBarFor is a bar whose buttons call load: always for "Always for
// this sender".
func newRemoteBarFor(load func(always bool)) *remoteBar {
	b := &remoteBar{text: widget.NewLabel("")}
	b.text.Wrapping = fyne.TextWrapWord
	b.load = widget.NewButtonWithIcon(lang.L("Load remote content"), theme.DownloadIcon(), func() { load(false) })
	b.trust = widget.NewButton(lang.L("Always for this sender"), func() { load(true) })
	buttons := container.NewVBox(layout.NewSpacer(), container.NewHBox(b.load, b.trust), layout.NewSpacer())
	b.box = container.NewBorder(nil, nil, nil, buttons, b.text)
	b.box.Hide()
	return b
}

// showRemoteBar offers to load the remote content of the message of b, or
// loads it when its sender is trusted.
func (c *controller) showRemoteBar(b *bodyView) {
	bar := b.remote
	bar.box.Hide()
	d := b.st.doc
	if d == nil || d.RemoteImages() == d.TrackingImages() {
		return
	}
	if c.remoteAllowed(b.msg) {
		c.loadRemote(b, false)
		return
	}
	n := d.RemoteImages() - d.TrackingImages()
	text := lang.N("{{.Count}} remote images of this message are not loaded.", n, map[string]any{"Count": n})
	if t := d.TrackingImages(); t > 0 {
		text += " " + trackingNote(t)
	}
	bar.text.SetText(text)
	bar.load.Enable()
	bar.trust.Enable()
	bar.box.Show()
}

// loadRemote fetches the remote images of the message of b in the
// background; always also trusts its sender from now on.
func (c *controller) loadRemote(b *bodyView, always bool) {
	st := b.st
	if st.doc == nil || b.msg == nil || st.remoteBusy || !b.current(st.doc) {
		return
	}
	if always {
		c.allowSender(b.msg)
		defer c.loadSender(senderKey(b.msg)) // the sender's other messages on show
	}
	st.remoteBusy = true
	b.remote.load.Disable()
	b.remote.trust.Disable()
	b.remote.text.SetText(lang.L("Loading remote content…"))
	d, client := st.doc, newRemoteClient()
	c.work.bg(func(ctx context.Context) func() {
		imgs, load := remoteImages(ctx, client, d)
		return func() { c.remoteLoaded(b, d, imgs, load) }
	})
}

// loadSender loads the remote content of the bodies on show from sender
// (the reader's, the expanded messages of the conversation), now that the
// user always allows it.
func (c *controller) loadSender(sender string) {
	r := c.ui.reader
	views := []*bodyView{c.readerBody()}
	for _, it := range r.conv.items {
		if it.view != nil {
			views = append(views, c.convBodyView(it))
		}
	}
	for _, b := range views {
		if b.msg != nil && senderKey(b.msg) == sender && b.st.remoteDone == nil && b.remote.box.Visible() {
			c.loadRemote(b, false)
		}
	}
}

// remoteLoaded draws the body of b again with its remote images.
func (c *controller) remoteLoaded(b *bodyView, d *htmldoc.Document, imgs map[string]*loadedImage, load remoteLoad) {
	st := b.st
	if !b.current(d) {
		return // another message is shown
	}
	st.remoteBusy = false
	st.remoteDone = &load
	if st.images == nil {
		st.images = map[string]*loadedImage{}
	}
	for k, v := range imgs {
		st.images[k] = v
	}
	b.remote.box.Hide()
	c.drawDoc(b)
	b.after()
}

func trackingNote(n int) string {
	return lang.N("{{.Count}} tracking images are never loaded.", n, map[string]any{"Count": n})
}

// remoteNote says what the reader did to the remote content and the links
// of an HTML body.
func remoteNote(st bodyState) string {
	var parts []string
	if l := st.remoteDone; l != nil {
		parts = append(parts, lang.L("Remote images: {{.Loaded}} loaded, {{.Failed}} failed, {{.Tracking}} tracking images dropped.",
			map[string]any{"Loaded": l.loaded, "Failed": l.failed, "Tracking": l.tracking}))
	} else if n := st.doc.TrackingImages(); n > 0 && n == st.doc.RemoteImages() {
		parts = append(parts, trackingNote(n)) // no bar: nothing else to load
	}
	if st.render != nil && st.render.stripped > 0 {
		parts = append(parts, lang.N("{{.Count}} tracking parameters removed from the links.",
			st.render.stripped, map[string]any{"Count": st.render.stripped}))
	}
	return strings.Join(parts, " ")
}
