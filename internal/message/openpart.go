package message

import (
	"io"
	"strings"
)

// OpenPart finds the part of the message in r whose Path is path (as in
// Message.Attachments; "" for a single-part message) and returns it with a
// reader of its decoded content: transfer encoding undone, charset left as
// it is (the bytes to save in a file). A message/rfc822 part gives the
// attached message. The reader reads r as it goes; Part.Size is -1. The
// error wraps ErrPartNotFound when there is no such part, or when it is a
// multipart.
func OpenPart(r io.Reader, path string) (Part, io.Reader, error) {
	p := newParser(r, Options{NoLinks: true})
	h := p.readHeader("", true)
	if p.n == 0 {
		if len(p.problems) > 0 {
			return Part{}, nil, p.problems[0]
		}
		return Part{}, nil, ErrEmpty
	}
	p.msg = &Message{}
	top := p.newEntity(h, "", 0, context{})
	e, c := p.seek(top, path, context{})
	if e == nil {
		return Part{}, nil, &Error{Part: path, Err: ErrPartNotFound}
	}
	part := Part{Path: e.path, ContentType: e.mediaType, Charset: e.params.charset, Filename: e.filename, Size: -1,
		Inline:    e.disposition == "inline" || e.disposition == "" && c.related && e.contentID != "",
		ContentID: e.contentID}
	if part.Filename == "" && e.mediaType == "message/rfc822" {
		part.Filename = "message.eml"
	}
	return part, p.decoder(&rawBody{p: p}, e), nil
}

// seek walks down to the leaf at target, skipping the other parts; it
// returns nil if there is none. The boundaries of the enclosing multiparts
// stay open, so that the leaf's body ends where it should.
func (p *parser) seek(e *entity, target string, c context) (*entity, context) {
	multi := strings.HasPrefix(e.mediaType, "multipart/") && e.params.boundary != "" && e.depth < maxDepth
	if e.path == target {
		if multi {
			return nil, c
		}
		return e, c
	}
	if !multi {
		return nil, c
	}
	level := len(p.bounds)
	p.bounds = append(p.bounds, append([]byte("--"), e.params.boundary...))
	sub := strings.TrimPrefix(e.mediaType, "multipart/")
	cc := context{related: sub == "related", digest: sub == "digest"}
	p.skipBody(nil)
	for n := 1; p.hit == level && !p.hitClose; n++ {
		p.hit = -1
		path := childPath(e.path, n)
		h := p.readHeader(path, false)
		if path == target || strings.HasPrefix(target, path+".") {
			return p.seek(p.newEntity(h, path, e.depth+1, cc), target, cc)
		}
		p.skipBody(nil)
	}
	return nil, c
}
