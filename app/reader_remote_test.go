package app

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
)

// imageServer serves PNG images on loopback and records every request.
type imageServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newImageServer(t *testing.T) *imageServer {
	s := &imageServer{}
	images := map[string][]byte{"/logo.png": pngOf(t, 40, 20), "/logo2.png": pngOf(t, 30, 30),
		"/pixel.png": pngOf(t, 1, 1), "/track.gif": pngOf(t, 1, 1)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "id", Value: "reader-42"})
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/logo2.png", http.StatusFound)
			return
		}
		if data, ok := images[r.URL.Path]; ok {
			w.Write(data)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *imageServer) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.reqs {
		out = append(out, r.URL.Path)
	}
	return out
}

// addRemoteMessage stores an HTML message from news@shop.example whose
// images are on srv.
func (h *harness) addRemoteMessage(srv *imageServer, subject string) {
	h.t.Helper()
	u := srv.URL
	html := `<p>Les soldes.</p><img src="` + u + `/logo.png" alt="logo"><img src="` + u + `/redirect" alt="bannière">` +
		`<img src="` + u + `/pixel.png"><img src="` + u + `/missing.png" alt="absente">` +
		`<img src="` + u + `/track.gif" width="1" height="1">`
	raw := "From: Shop <News@Shop.example>\r\nTo: marc@machin.com\r\nSubject: " + subject + "\r\n" +
		"Date: Tue, 24 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
	if _, err := h.store.Add(context.Background(), inboxRef, strings.NewReader(raw), mailstore.AddOptions{}); err != nil {
		h.t.Fatal(err)
	}
	h.c.reloadList(false)
	h.settle()
}

// drawnImages counts the images with a resource under o.
func drawnImages(o fyne.CanvasObject) int {
	n := 0
	walk(o, func(o fyne.CanvasObject) {
		if im, ok := o.(*canvas.Image); ok && im.Resource != nil {
			n++
		}
	})
	return n
}

// Remote images are not fetched until asked; then they are fetched
// without cookie or Referer, the tracking image marked in the HTML never,
// the one found to be 1×1 dropped; "Always for this sender" loads the next
// message of the sender at once.
func TestReaderLoadsRemoteContentWhenAsked(t *testing.T) {
	srv := newImageServer(t)
	h := newHarness(t)
	h.addRemoteMessage(srv, "Soldes 1")
	h.addRemoteMessage(srv, "Soldes 2")
	h.open("Soldes 1")
	r := h.c.ui.reader
	// The store's notices of the additions may come after the opening and
	// draw the message again: wait for the bar rather than for idleness.
	if !settle(h.q, h.c.work, 15*time.Second, func() bool { return r.remote.box.Visible() }) {
		t.Logf("no bar after 15 s")
	}
	if len(srv.paths()) != 0 || drawnImages(r.rich) != 0 {
		t.Fatalf("remote content fetched before being asked: %v", srv.paths())
	}
	if !r.remote.box.Visible() || !strings.Contains(r.remote.text.Text, "4 remote images") {
		t.Fatalf("no bar offering the remote content: %v %q (body %q, HTML %v)", r.remote.box.Visible(), r.remote.text.Text,
			r.body.Text, r.bodyState.doc != nil)
	}
	test.Tap(r.remote.load)
	h.waitFor("the remote images", func() bool { return r.bodyState.remoteDone != nil })
	if got := drawnImages(r.rich); got != 2 {
		t.Errorf("%d images drawn, want 2 (logo, the redirected banner)", got)
	}
	if l := *r.bodyState.remoteDone; l.loaded != 2 || l.failed != 1 || l.tracking != 2 {
		t.Errorf("load %+v, want 2 loaded, 1 failed, 2 tracking", l)
	}
	if !strings.Contains(r.notes.Text, "2 loaded, 1 failed, 2 tracking") || r.remote.box.Visible() {
		t.Errorf("notes %q, bar %v", r.notes.Text, r.remote.box.Visible())
	}
	srv.mu.Lock()
	for _, q := range srv.reqs {
		if q.Header.Get("Cookie") != "" || q.Header.Get("Referer") != "" || q.URL.Path == "/track.gif" {
			t.Errorf("%s sent with Cookie %q, Referer %q", q.URL.Path, q.Header.Get("Cookie"), q.Header.Get("Referer"))
		}
	}
	srv.mu.Unlock()

	h.open("Soldes 2") // "Load remote content" was for one message
	if !r.remote.box.Visible() || r.bodyState.remoteDone != nil {
		t.Fatal("the second message of the sender loaded its remote content without being asked")
	}
	test.Tap(r.remote.trust)
	h.waitFor("the second message's images", func() bool { return r.bodyState.remoteDone != nil })
	h.open("Soldes 1")
	h.waitFor("the trusted sender's images", func() bool { return r.bodyState.remoteDone != nil })
	if r.remote.box.Visible() || drawnImages(r.rich) != 2 {
		t.Errorf("the trusted sender's message: bar %v, %d images", r.remote.box.Visible(), drawnImages(r.rich))
	}
}
