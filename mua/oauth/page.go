package oauth

import (
	"fmt"
	"html"
	"net/http"
)

// pageTemplate is the page the browser shows once it came back: the
// title, then the sentence, both HTML-escaped.
const pageTemplate = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Facteur</title>
<style>body{font-family:sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style>
</head><body><h1>%s</h1><p>%s</p></body></html>
`

// writePage answers the browser: success, or why the sign-in failed.
func writePage(w http.ResponseWriter, err error) {
	title, text, status := "Facteur is signed in", "You can close this window and go back to Facteur.", http.StatusOK
	if err != nil {
		title, text, status = "Facteur could not sign in", errorText(err), http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, pageTemplate, html.EscapeString(title), html.EscapeString(text))
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
