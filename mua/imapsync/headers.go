package imapsync

import (
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"facteur/mailstore"
)

// A sync that is not "available offline" fetches, for each new message,
// its header section (BODY.PEEK[HEADER], which leaves \Seen alone), FLAGS,
// INTERNALDATE, RFC822.SIZE and BODYSTRUCTURE (RFC 9051 §7.5.2), and
// stores a partial message (mailstore.PartialMessage): the header, the
// size of the whole message and whether its structure has an attachment.
// The list shows it like any other; its body comes with FetchBody when the
// user opens it, or with the sync when the account becomes available
// offline (fillBodies).

var headerSection = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}

// headerOptions are the FETCH items of a partial message; envelope adds
// ENVELOPE, for adoption by Message-ID.
func headerOptions(envelope bool) *imap.FetchOptions {
	return &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: envelope,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection:   []*imap.FetchItemBodySection{headerSection}}
}

// partialMsg makes the partial message of a FETCH of headerOptions: ok
// when it has the header section, why when that is not complete
// (checkHeader).
func partialMsg(buf *imapclient.FetchMessageBuffer) (m newMsg, why string, ok bool) {
	header := buf.FindBodySection(headerSection)
	if header == nil || buf.UID == 0 {
		return newMsg{}, "", false
	}
	if why := checkHeader(header, buf); why != "" {
		return newMsg{}, why, true
	}
	data := mailstore.PartialMessage(header, buf.RFC822Size, hasAttachment(buf.BodyStructure))
	return newMsg{uid: uint32(buf.UID), data: data, flags: fromIMAP(buf.Flags), keys: keywordsOf(buf.Flags), arrived: buf.InternalDate}, "", true
}

// hasAttachment tells whether a body structure has a part that the
// mailstore would count as an attachment (see mailstore.Summary): a part
// that is not body text (text/plain, text/html) nor inline (RFC 2183
// Content-Disposition: inline, or a part of multipart/related with a
// Content-ID), or any part with a file name or "attachment".
func hasAttachment(bs imap.BodyStructure) bool {
	found := false
	var walk func(imap.BodyStructure, bool)
	walk = func(bs imap.BodyStructure, related bool) {
		switch b := bs.(type) {
		case *imap.BodyStructureMultiPart:
			for _, ch := range b.Children {
				walk(ch, strings.EqualFold(b.Subtype, "related"))
			}
		case *imap.BodyStructureSinglePart:
			found = found || isAttachment(b, related)
		}
	}
	if bs != nil {
		walk(bs, false)
	}
	return found
}

func isAttachment(p *imap.BodyStructureSinglePart, related bool) bool {
	disp := ""
	if d := p.Disposition(); d != nil {
		disp = strings.ToLower(d.Value)
	}
	inline := disp == "inline" || disp == "" && related && p.ID != ""
	switch typ := strings.ToLower(p.Type + "/" + p.Subtype); {
	case disp == "attachment":
		return true
	case inline:
		return false
	case p.Filename() != "", typ == "message/rfc822", typ == "message/global":
		return true
	default:
		return typ != "text/plain" && typ != "text/html"
	}
}
