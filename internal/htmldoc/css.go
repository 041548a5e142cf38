package htmldoc

import (
	"strings"

	"golang.org/x/net/html"
)

// hiddenClasses reads the style sheets of a document for the classes that
// it hides: rules of simple class selectors (".preheader", "span.hidden")
// whose declarations say display:none, visibility:hidden or mso-hide:all.
// That is how newsletters hide their preheader text; style sheets are
// dropped by the sanitizer, so the rule is kept this way. Rules inside
// at-rules (@media dark mode or narrow screens) are skipped.
func hiddenClasses(root *html.Node) map[string]bool {
	var hidden map[string]bool
	for n := range root.Descendants() {
		if n.Type != html.ElementNode || n.Data != "style" || n.Namespace != "" {
			continue
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type == html.TextNode {
				hidden = readSheet(ch.Data, hidden)
			}
		}
	}
	return hidden
}

// readSheet adds the hidden classes of one style sheet to hidden.
func readSheet(css string, hidden map[string]bool) map[string]bool {
	css = stripComments(css)
	depth := 0
	start := 0
	for i := 0; i < len(css); i++ {
		switch css[i] {
		case '{':
			if depth == 0 {
				selectors := css[start:i]
				end := strings.IndexByte(css[i:], '}')
				if end < 0 {
					return hidden
				}
				if !strings.HasPrefix(strings.TrimSpace(selectors), "@") {
					hidden = addHidden(selectors, css[i+1:i+end], hidden)
					i += end
					start = i + 1
					continue
				}
			}
			depth++
		case '}':
			depth = max(0, depth-1)
			start = i + 1
		}
	}
	return hidden
}

// addHidden records the classes of a rule that hides.
func addHidden(selectors, body string, hidden map[string]bool) map[string]bool {
	si := readStyle(body)
	if !si.hidden {
		return hidden
	}
	for _, sel := range strings.Split(selectors, ",") {
		class, ok := simpleClass(strings.TrimSpace(sel))
		if !ok {
			continue
		}
		if hidden == nil {
			hidden = map[string]bool{}
		}
		hidden[class] = true
	}
	return hidden
}

// simpleClass reads a selector of one class, with or without an element
// name: "span.preheader" gives "preheader".
func simpleClass(sel string) (string, bool) {
	tag, class, ok := strings.Cut(strings.ToLower(sel), ".")
	if !ok || class == "" {
		return "", false
	}
	for _, part := range []string{tag, class} {
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", false
			}
		}
	}
	return class, true
}

// stripComments removes /* */ comments and the <!-- --> markers of old
// style sheets.
func stripComments(css string) string {
	var b strings.Builder
	for {
		i := strings.Index(css, "/*")
		if i < 0 {
			b.WriteString(css)
			break
		}
		b.WriteString(css[:i])
		j := strings.Index(css[i+2:], "*/")
		if j < 0 {
			break
		}
		css = css[i+2+j+2:]
	}
	s := strings.ReplaceAll(b.String(), "<!--", "")
	return strings.ReplaceAll(s, "-->", "")
}

// hideByClass gives an element of a hidden class the style that hides it,
// before the sanitizer drops its class.
func hideByClass(n *html.Node, hidden map[string]bool) {
	if len(hidden) == 0 {
		return
	}
	for _, c := range strings.Fields(strings.ToLower(attr(n, "class"))) {
		if hidden[c] {
			setAttr(n, "style", "display: none")
			return
		}
	}
}

// setAttr sets an attribute, replacing its value.
func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key && n.Attr[i].Namespace == "" {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}
