package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Flow is one authorization: the code flow of RFC 6749 §4.1 with a PKCE
// S256 challenge (RFC 7636) and a loopback redirect URI (RFC 8252 §7.3).
type Flow struct {
	// Config is the client and the endpoints (Provider.Config); its
	// RedirectURL is replaced by the loopback one.
	Config *oauth2.Config
	// AuthParams are added to the authorization URL (Provider.AuthParams,
	// login_hint...).
	AuthParams map[string]string
	// Open receives the URL that the user must open in a browser, once,
	// on Run's goroutine, before Run waits for the redirect: the GUI opens
	// it (fyne's App.OpenURL, through fyne.Do), the CLI prints it. An
	// error ends Run.
	Open func(authURL string) error
	// HTTPClient talks to the token endpoint; nil means a client with a
	// 30 s timeout.
	HTTPClient *http.Client
}

// Run listens on 127.0.0.1:0, calls Open with the authorization URL, waits
// for the browser to come back to http://127.0.0.1:PORT/, checks the state
// (ErrState) and exchanges the code and the PKCE verifier for a token. An
// error that the authorization server sent back is an
// *AuthorizationError; a failure at the token endpoint a *TokenError. Run
// returns ctx's error when ctx ends first (the user never came back); the
// listener is closed when Run returns.
func (f *Flow) Run(ctx context.Context) (*oauth2.Token, error) {
	if f.Config == nil || f.Open == nil {
		return nil, errors.New("oauth: a Flow needs a Config and an Open")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cfg := *f.Config
	cfg.RedirectURL = "http://" + ln.Addr().String() + "/"
	state, err := randomState()
	if err != nil {
		ln.Close()
		return nil, err
	}
	cb := &callback{state: state, result: make(chan redirect, 1)}
	stop := serve(ln, cb)
	defer stop()
	verifier := oauth2.GenerateVerifier()
	if err := f.Open(cfg.AuthCodeURL(state, f.options(verifier)...)); err != nil {
		return nil, err
	}
	code, err := cb.wait(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := cfg.Exchange(withClient(ctx, f.HTTPClient), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, &TokenError{Op: "exchange", Err: err}
	}
	return tok, nil
}

func (f *Flow) options(verifier string) []oauth2.AuthCodeOption {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for k, v := range f.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return opts
}

// withClient makes golang.org/x/oauth2 use c (nil: a 30 s timeout client).
func withClient(ctx context.Context, c *http.Client) context.Context {
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

// randomState is 128 random bits, unguessable (RFC 6749 §10.10).
func randomState() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// serve answers the redirect on ln until the returned func is called,
// which lets the last page reach the browser (2 s at most), then closes.
func serve(ln net.Listener, h http.Handler) (stop func()) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln) // returns http.ErrServerClosed at stop
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}
}

// redirect is what the browser brought back.
type redirect struct {
	code string
	err  error
}

// callback is the handler of the redirect URI: the first request to "/"
// settles the flow, whatever it carries.
type callback struct {
	state  string
	once   sync.Once
	result chan redirect
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" { // favicon.ico and the like
		http.NotFound(w, r)
		return
	}
	res := cb.read(r.URL.Query())
	writePage(w, res.err)
	cb.once.Do(func() { cb.result <- res })
}

// read checks the state first (RFC 6749 §4.1.2 and §10.12), then reads
// the code or the error of §4.1.2.1.
func (cb *callback) read(q url.Values) redirect {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(cb.state)) != 1 {
		return redirect{err: ErrState}
	}
	if code := q.Get("error"); code != "" {
		return redirect{err: &AuthorizationError{Code: code, Description: q.Get("error_description"), URI: q.Get("error_uri")}}
	}
	if q.Get("code") == "" {
		return redirect{err: &AuthorizationError{Code: "invalid_request", Description: "the redirect carries no code"}}
	}
	return redirect{code: q.Get("code")}
}

func (cb *callback) wait(ctx context.Context) (string, error) {
	select {
	case res := <-cb.result:
		return res.code, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// errorText is the sentence the browser page shows for err.
func errorText(err error) string {
	var ae *AuthorizationError
	switch {
	case errors.Is(err, ErrState):
		return "This answer does not belong to the sign-in that Facteur started, so it was refused. Start again from Facteur."
	case errors.As(err, &ae) && ae.Code == "access_denied":
		return "Access was not granted. Start again from Facteur if this was a mistake."
	}
	return err.Error()
}
