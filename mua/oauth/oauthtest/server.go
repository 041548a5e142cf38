// Package oauthtest gives the tests of Facteur's OAuth2 logins real peers
// on loopback: an OAuth2 authorization server (RFC 6749) that checks PKCE
// (RFC 7636), a "browser" that follows its authorization URL, the server
// side of the SASL mechanisms OAUTHBEARER (RFC 7628) and XOAUTH2, and an
// IMAP server (go-imap's imapserver with imapmemserver) that offers them.
package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// DefaultUser is who signs in when the authorization URL has no login_hint.
const DefaultUser = "user@example.test"

// Server is an OAuth2 authorization server on 127.0.0.1. Its authorize
// endpoint stands for a user who consents at once: it redirects to the
// loopback redirect_uri with a code and the state. Its token endpoint
// checks the client, the code, the redirect_uri and the PKCE verifier
// (S256), issues access and refresh tokens, and on the refresh grant a
// new pair (the old refresh token is then refused, as with rotation).
type Server struct {
	ClientID, ClientSecret string

	srv       *httptest.Server
	mu        sync.Mutex
	expiresIn int    // seconds; 0 means 3600
	deny      string // the error the authorize endpoint answers with
	codes     map[string]grant
	access    map[string]string // access token -> user
	refresh   map[string]string // refresh token -> user
	refreshes int
	lastAuth  url.Values
}

type grant struct {
	user, redirectURI, challenge string
}

// NewServer starts a server for one client; clientSecret "" is a public
// client. It stops when the test ends.
func NewServer(t testing.TB, clientID, clientSecret string) *Server {
	t.Helper()
	s := &Server{ClientID: clientID, ClientSecret: clientSecret,
		codes: map[string]grant{}, access: map[string]string{}, refresh: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// AuthURL is the authorization endpoint.
func (s *Server) AuthURL() string { return s.srv.URL + "/authorize" }

// TokenURL is the token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// Check accepts an access token it issued to user; it has the signature
// of the SASL servers' check.
func (s *Server) Check(user, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if got, ok := s.access[token]; ok && got == user {
		return nil
	}
	return errInvalidToken
}

// Refreshes counts the refresh grants answered.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// RevokeAll forgets every token: the next refresh is invalid_grant.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access, s.refresh = map[string]string{}, map[string]string{}
}

// SetExpiresIn sets the lifetime, in seconds, announced for the access
// tokens issued from now on (3600 by default).
func (s *Server) SetExpiresIn(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expiresIn = seconds
}

// Deny makes the authorize endpoint answer with that error (RFC 6749
// §4.1.2.1), "access_denied" for a user who declines; "" consents.
func (s *Server) Deny(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = code
}

// LastAuthorize is the query of the last authorization request.
func (s *Server) LastAuthorize() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAuth
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.lastAuth = q
	deny := s.deny
	s.mu.Unlock()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme != "http" || !loopback(redirect.Hostname()) {
		http.Error(w, "redirect_uri must be a loopback http URI (RFC 8252 §7.3)", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	switch {
	case deny != "":
		back.Set("error", deny)
	case q.Get("client_id") != s.ClientID || q.Get("response_type") != "code":
		back.Set("error", "unauthorized_client")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back.Set("error", "invalid_request")
	default:
		back.Set("code", s.newCode(q))
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (s *Server) newCode(q url.Values) string {
	user := q.Get("login_hint")
	if user == "" {
		user = DefaultUser
	}
	code := random("code-")
	s.mu.Lock()
	s.codes[code] = grant{user: user, redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
	s.mu.Unlock()
	return code
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !s.clientOK(r) {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	var user string
	var ok bool
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		user, ok = s.redeemCode(r.PostForm)
	case "refresh_token":
		user, ok = s.redeemRefresh(r.PostForm.Get("refresh_token"))
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	s.issue(w, user)
}

// clientOK checks the client, in HTTP Basic or in the form (RFC 6749 §2.3.1).
func (s *Server) clientOK(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == s.ClientID && secret == s.ClientSecret
}

// redeemCode checks a code once, with its redirect_uri and the PKCE
// verifier (RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge).
func (s *Server) redeemCode(f url.Values) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[f.Get("code")]
	delete(s.codes, f.Get("code"))
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if !ok || f.Get("redirect_uri") != g.redirectURI || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		return "", false
	}
	return g.user, true
}

func (s *Server) redeemRefresh(rt string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, ok := s.refresh[rt]
	if ok {
		delete(s.refresh, rt)
		s.refreshes++
	}
	return user, ok
}

func (s *Server) issue(w http.ResponseWriter, user string) {
	at, rt := random("at-"), random("rt-")
	s.mu.Lock()
	s.access[at], s.refresh[rt] = user, user
	exp := s.expiresIn
	s.mu.Unlock()
	if exp == 0 {
		exp = 3600
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": at, "token_type": "Bearer", "expires_in": exp, "refresh_token": rt,
	})
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func random(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
