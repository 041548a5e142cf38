package htmldoc

import "strings"

// The allow-lists of the sanitizer. What is not named here goes: an element
// of dropped is removed with its content, any other element that is not
// kept is replaced by its content; an attribute that is not allowed on its
// element is removed.

// kept are the elements that stay, with their attributes (besides the
// global ones).
var kept = map[string][]string{
	"html": nil, "head": nil, "body": nil,
	"a": {"href", "name"}, "area": {"href", "alt"},
	"abbr": nil, "acronym": nil, "address": nil, "article": nil, "aside": nil,
	"b": nil, "bdi": nil, "bdo": nil, "big": nil,
	"blockquote": {"cite", "type"}, "br": nil,
	"caption": nil, "center": nil, "cite": nil, "code": nil,
	"col": {"span", "width"}, "colgroup": {"span", "width"},
	"dd": nil, "del": nil, "details": nil, "dfn": nil, "div": nil, "dl": nil, "dt": nil,
	"em": nil, "figcaption": nil, "figure": nil,
	"font": {"color", "face", "size"}, "footer": nil,
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"header": nil, "hgroup": nil, "hr": nil, "i": nil,
	"img": {"src", "alt", "width", "height"},
	"ins": nil, "kbd": nil, "li": {"value", "type"}, "main": nil, "mark": nil,
	"nav": nil, "ol": {"start", "type", "reversed"}, "p": nil, "pre": nil,
	"q": {"cite"}, "s": nil, "samp": nil, "section": nil, "small": nil,
	"span": nil, "strike": nil, "strong": nil, "sub": nil, "summary": nil, "sup": nil,
	"table": {"border", "role", "width", "summary"},
	"tbody": nil, "td": {"colspan", "rowspan", "valign", "width", "headers", "scope"},
	"tfoot": nil, "th": {"colspan", "rowspan", "valign", "width", "headers", "scope"},
	"thead": nil, "time": {"datetime"}, "tr": {"valign"}, "tt": nil,
	"u": nil, "ul": {"type"}, "var": nil, "wbr": nil,
}

// globalAttrs are allowed on every kept element.
var globalAttrs = []string{"dir", "lang", "title", "align", "style"}

// dropped are the elements removed with everything they hold: active
// content, remote content, metadata, forms.
var dropped = map[string]bool{
	"script": true, "style": true, "title": true, "template": true, "noscript": true,
	"svg": true, "math": true, "object": true, "embed": true, "applet": true,
	"iframe": true, "frame": true, "frameset": true, "noframes": true, "noembed": true,
	"audio": true, "video": true, "canvas": true, "source": true, "track": true,
	"picture": true, "map": true, "meta": true, "link": true, "base": true, "basefont": true,
	"select": true, "textarea": true, "input": true, "option": true, "datalist": true,
	"xml": true, "plaintext": true, "xmp": true, "param": true, "portal": true,
	"dialog": true, "head": true,
}

// allowedAttr reports whether attribute key may stay on element tag.
func allowedAttr(tag, key string) bool {
	for _, k := range globalAttrs {
		if k == key {
			return true
		}
	}
	for _, k := range kept[tag] {
		if k == key {
			return true
		}
	}
	return false
}

// urlAttrs are the attributes that hold a URL, and the schemes each takes.
var urlAttrs = map[string][]string{
	"href": {"http", "https", "mailto", "ftp", "tel"},
	"src":  {"http", "https", "cid", "data"},
	"cite": {"http", "https"},
}

// safeURL returns the URL of attribute key with its blanks trimmed, and
// whether its scheme is allowed there. Relative URLs are refused: a
// message has no base to resolve them against. A data: URL must be a
// base64 image.
func safeURL(key, v string) (string, bool) {
	v = strings.TrimSpace(v)
	for _, scheme := range urlAttrs[key] {
		if !hasScheme(v, scheme) {
			continue
		}
		if scheme == "data" {
			return v, dataImage(v)
		}
		return v, len(v) > len(scheme)+1
	}
	return v, false
}

// hasScheme reports whether u starts with scheme and a colon, in any case.
func hasScheme(u, scheme string) bool {
	return len(u) > len(scheme) && u[len(scheme)] == ':' && strings.EqualFold(u[:len(scheme)], scheme)
}

// dataImage accepts data:image/{png,gif,jpeg,webp};base64,...
func dataImage(v string) bool {
	meta, _, ok := strings.Cut(v[len("data:"):], ",")
	if !ok {
		return false
	}
	meta = strings.ToLower(meta)
	for _, t := range []string{"image/png", "image/gif", "image/jpeg", "image/jpg", "image/webp"} {
		if meta == t+";base64" {
			return true
		}
	}
	return false
}
