package ext

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // charsets of text parts
	"github.com/emersion/go-message/textproto"
	"github.com/foxcpp/go-sieve/interp"
	"github.com/foxcpp/go-sieve/parser"
	"golang.org/x/net/html"
)

func init() {
	interp.RegisterExtension("body")
	interp.RegisterTest("body", loadBody)
}

// The body transforms of RFC 5173 §5.
const (
	transformRaw     = "raw"
	transformContent = "content"
	transformText    = "text"
)

// BodyTest is the body test (RFC 5173): it compares the keys with the
// body of the message, undecoded (:raw), as decoded MIME parts of some
// content types (:content), or as text (:text, the default: text parts,
// HTML reduced to its text).
type BodyTest struct {
	interp.MatcherTest
	Transform string
	Types     []string // :content
}

func loadBody(s *interp.Script, t parser.Test) (interp.Test, error) {
	if !s.RequiresExtension("body") {
		return nil, parser.ErrorAt(t.Position, "missing require 'body'")
	}
	b := &BodyTest{MatcherTest: interp.NewMatcherTest(), Transform: transformText}
	b.DisableMatchVariables() // RFC 5173 §6
	var key []string
	transforms := 0
	set := func(tr string) { b.Transform = tr; transforms++ }
	err := interp.LoadSpec(s, b.AddSpecTags(&interp.Spec{
		Tags: map[string]interp.SpecTag{
			"raw":     {MatchBool: func() { set(transformRaw) }},
			"text":    {MatchBool: func() { set(transformText) }},
			"content": {NeedsValue: true, MinStrCount: 1, MatchStr: func(v []string) { set(transformContent); b.Types = v }},
		},
		Pos: []interp.SpecPosArg{{MinStrCount: 1, MatchStr: func(v []string) { key = v }}},
	}), t.Position, t.Args, t.Tests, nil)
	if err != nil {
		return nil, err
	}
	if transforms > 1 {
		return nil, parser.ErrorAt(t.Position, "body: only one of :raw, :content and :text")
	}
	if err := b.SetKey(s, key); err != nil {
		return nil, err
	}
	return b, nil
}

// Check compares the keys with each text the transform gives.
func (b *BodyTest) Check(_ context.Context, d *interp.RuntimeData) (bool, error) {
	mr, ok := d.Msg.(interp.MessageReader)
	if !ok {
		return false, nil // no body to read: the test is false
	}
	texts, err := b.texts(mr, interp.ExpandVarsList(d, b.Types))
	if err != nil {
		return false, err
	}
	d.NoteField("body")
	if b.IsCount() {
		return b.CountMatches(d, uint64(len(texts))), nil
	}
	for _, t := range texts {
		if ok, err := b.TryMatch(d, t); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

func (b *BodyTest) texts(mr interp.MessageReader, types []string) ([]string, error) {
	r, err := mr.ReadMessage()
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	_, body, ok := splitHeader(raw)
	if !ok {
		return nil, nil // a header without an empty line: no body (RFC 5173 §4)
	}
	if b.Transform == transformRaw {
		return []string{string(body)}, nil
	}
	if b.Transform == transformText {
		types = []string{"text"}
	}
	return contentTexts(raw, types, b.Transform == transformText)
}

// contentTexts returns the texts of the MIME parts whose type matches
// (RFC 5173 §5.2); with asText, HTML parts are reduced to their text.
func contentTexts(raw []byte, types []string, asText bool) ([]string, error) {
	w := partWalker{types: types, asText: asText}
	w.entity(raw, 0)
	return w.out, nil
}

type partWalker struct {
	types  []string
	asText bool
	out    []string
}

// maxDepth bounds the nesting of parts that the walk follows.
const maxDepth = 20

// entity looks at one MIME entity, header and body (RFC 5173 §5.2): a
// leaf whose type matches gives its decoded content; a multipart gives
// its prologue and epilogue when "multipart" matches, and its parts are
// looked at in turn; a message/rfc822 gives its header, and its parts are
// looked at in turn.
func (w *partWalker) entity(raw []byte, depth int) {
	hdrText, body, _ := splitHeader(raw)
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(hdrText)))
	if err != nil && depth > 0 && len(hdrText) > 0 {
		h = textproto.Header{}
	}
	mt, params := mediaType(h)
	matches := typeMatches(mt, w.types) || (w.asText && mt == "application/xhtml+xml")
	switch {
	case strings.HasPrefix(mt, "multipart/") && depth < maxDepth:
		prologue, parts, epilogue := splitMultipart(body, params["boundary"])
		if matches && !w.asText {
			w.out = append(w.out, string(prologue), string(epilogue))
		}
		for _, p := range parts {
			w.entity(p, depth+1)
		}
	case mt == "message/rfc822" && depth < maxDepth:
		nested, _, _ := splitHeader(body)
		if matches && !w.asText {
			w.out = append(w.out, string(nested))
		}
		w.entity(body, depth+1)
	case matches:
		if text, ok := w.leaf(h, body, mt); ok {
			w.out = append(w.out, text)
		}
	}
}

// leaf returns the decoded content of a part; a part in an unknown
// transfer encoding is broken and gives nothing.
func (w *partWalker) leaf(h textproto.Header, body []byte, mt string) (string, bool) {
	e, err := message.New(message.Header{Header: h}, bytes.NewReader(body))
	if e == nil || message.IsUnknownEncoding(err) {
		return "", false
	}
	data, _ := io.ReadAll(e.Body)
	text := string(data)
	if w.asText && (mt == "text/html" || mt == "application/xhtml+xml") {
		text = htmlText(text)
	}
	return text, true
}

// mediaType returns the lower-case type of a part ("text/plain" when it
// has none, RFC 2045 §5.2) and its parameters.
func mediaType(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", nil
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil {
		t, _, _ = strings.Cut(v, ";")
		t = strings.ToLower(strings.TrimSpace(t))
		if strings.Count(t, "/") != 1 {
			return "application/octet-stream", nil // unreadable: opaque
		}
		return t, nil
	}
	return strings.ToLower(t), params
}

// splitHeader cuts a message at its first empty line; the header keeps
// its last line end.
func splitHeader(raw []byte) (header, body []byte, ok bool) {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil, false
		}
		line := bytes.TrimRight(raw[i:i+j], "\r")
		if len(line) == 0 {
			return raw[:i], raw[i+j+1:], true
		}
		i += j + 1
	}
	return raw, nil, false
}

// splitMultipart cuts a multipart body at its boundary lines (RFC 2046
// §5.1.1): what comes before the first, the parts, what comes after the
// last. The line end before a boundary line belongs to the boundary.
func splitMultipart(body []byte, boundary string) (prologue []byte, parts [][]byte, epilogue []byte) {
	if boundary == "" {
		return body, nil, nil
	}
	delim := []byte("--" + boundary)
	var cur []byte
	start, inPart := 0, false
	for i := 0; i <= len(body); {
		j := bytes.IndexByte(body[i:], '\n')
		end := len(body)
		if j >= 0 {
			end = i + j
		}
		line := bytes.TrimRight(body[i:end], " \t\r")
		if bytes.HasPrefix(line, delim) {
			closing := bytes.Equal(line, append(append([]byte{}, delim...), '-', '-'))
			if bytes.Equal(line, delim) || closing {
				seg := trimLineEnd(body[start:i])
				if inPart {
					parts = append(parts, seg)
				} else if cur == nil {
					prologue, cur = seg, []byte{}
				}
				inPart, start = !closing, end+1
				if closing {
					if end+1 <= len(body) {
						epilogue = body[min(end+1, len(body)):]
					}
					return prologue, parts, epilogue
				}
			}
		}
		if j < 0 {
			break
		}
		i = end + 1
	}
	if inPart && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return prologue, parts, nil
}

// trimLineEnd drops the line end that precedes a boundary line.
func trimLineEnd(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// typeMatches reports whether a media type is one of types: "" matches
// every type, "text" every text subtype, "text/plain" that one; a type
// that begins or ends with a slash or has two matches none (RFC 5173
// §5.2).
func typeMatches(mt string, types []string) bool {
	main, _, _ := strings.Cut(mt, "/")
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		if strings.HasPrefix(t, "/") || strings.HasSuffix(t, "/") || strings.Count(t, "/") > 1 {
			continue
		}
		if t == "" || t == mt || (!strings.Contains(t, "/") && t == main) {
			return true
		}
	}
	return false
}

// htmlText returns the text of an HTML document, blanks collapsed.
func htmlText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.StartTagToken:
			if n, _ := z.TagName(); string(n) == "script" || string(n) == "style" {
				skip++
			}
		case html.EndTagToken:
			if n, _ := z.TagName(); (string(n) == "script" || string(n) == "style") && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		}
	}
}
