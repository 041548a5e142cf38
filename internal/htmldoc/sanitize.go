package htmldoc

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxNesting bounds the depth of the sanitized tree: an element deeper
// than that is replaced by its text, so that nothing downstream recurses
// without bound on hostile markup.
const maxNesting = 256

// Sanitize parses src (UTF-8 HTML) and returns it sanitized: only the
// elements, attributes, URL schemes and CSS properties of the allow-lists
// stay (see allow.go and style.go). The result is HTML that a browser
// would show without running, loading or hiding anything unexpected, save
// the remote images whose http(s) sources it keeps (the caller decides
// whether to load them).
func Sanitize(src []byte) []byte {
	var b bytes.Buffer
	_ = html.Render(&b, parseClean(src)) // writes to memory: no error
	return b.Bytes()
}

// parseClean parses src with the HTML5 rules and sanitizes the tree. The
// parser refuses markup nested deeper than 512 elements (thousands of
// unclosed <font> or <div>, as some senders write): that page is read
// flat instead (flatTree), so that its text is never lost.
func parseClean(src []byte) *html.Node {
	root, err := html.Parse(bytes.NewReader(src))
	if err != nil {
		root = flatTree(src)
	}
	clean(root)
	return root
}

// flatTree builds a tree of one level from the tokens of src: its text,
// with a division (a line end) for each tag that separates lines, and without the
// content of the dropped elements (scripts, styles...).
func flatTree(src []byte) *html.Node {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	z := html.NewTokenizer(bytes.NewReader(src))
	skip := ""
	for {
		switch z.Next() {
		case html.ErrorToken:
			doc := &html.Node{Type: html.DocumentNode}
			root := &html.Node{Type: html.ElementNode, Data: "html", DataAtom: atom.Html}
			doc.AppendChild(root)
			root.AppendChild(body)
			return doc
		case html.TextToken:
			if skip == "" {
				body.AppendChild(&html.Node{Type: html.TextNode, Data: string(z.Text())})
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case skip != "":
			case dropped[tag] && tag != "meta" && tag != "link" && tag != "base" && tag != "input":
				skip = tag
			case isBreak(tag):
				body.AppendChild(&html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == skip {
				skip = ""
			}
		}
	}
}

// clean sanitizes the tree under root in place, without recursion.
func clean(root *html.Node) {
	type item struct {
		n     *html.Node
		depth int
	}
	hidden := hiddenClasses(root)
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := it.n.FirstChild; c != nil; {
			next, keep := cleanNode(c, hidden)
			if keep && c.Type == html.ElementNode {
				if it.depth+1 >= maxNesting {
					flatten(c)
				} else {
					stack = append(stack, item{c, it.depth + 1})
				}
			}
			c = next
		}
	}
}

// cleanNode sanitizes one node: it removes it, unwraps it (its children
// take its place) or keeps it with its allowed attributes (an element of
// a class that the style sheets hide gets display: none). It returns the
// next node to look at among its siblings, and whether c stays.
func cleanNode(c *html.Node, hidden map[string]bool) (next *html.Node, keep bool) {
	next = c.NextSibling
	switch c.Type {
	case html.TextNode:
		return next, true
	case html.ElementNode:
	default: // comments, doctypes, raw nodes
		c.Parent.RemoveChild(c)
		return next, false
	}
	tag := c.Data
	if c.Namespace != "" || dropped[tag] || hasAttr(c, "hidden") {
		c.Parent.RemoveChild(c)
		return next, false
	}
	if _, ok := kept[tag]; !ok {
		return unwrap(c), false
	}
	hideByClass(c, hidden)
	cleanAttrs(c)
	return next, true
}

// unwrap replaces c by its children and returns the first of them (or the
// node after c when it had none).
func unwrap(c *html.Node) *html.Node {
	first, next := c.FirstChild, c.NextSibling
	for ch := c.FirstChild; ch != nil; ch = c.FirstChild {
		c.RemoveChild(ch)
		c.Parent.InsertBefore(ch, c)
	}
	c.Parent.RemoveChild(c)
	if first != nil {
		return first
	}
	return next
}

// flatten replaces the children of n by one text node: their text.
func flatten(n *html.Node) {
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
			continue
		}
		if x.Type == html.ElementNode && (x.Namespace != "" || dropped[x.Data]) {
			continue
		}
		for ch := x.LastChild; ch != nil; ch = ch.PrevSibling {
			stack = append(stack, ch)
		}
		if x.Type == html.ElementNode && x != n && isBreak(x.Data) {
			stack = append(stack, &html.Node{Type: html.TextNode, Data: " "})
		}
	}
	for ch := n.FirstChild; ch != nil; ch = n.FirstChild {
		n.RemoveChild(ch)
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: b.String()})
}

// isBreak reports elements whose end separates words.
func isBreak(tag string) bool {
	switch tag {
	case "br", "p", "div", "td", "th", "tr", "li":
		return true
	}
	return false
}

// cleanAttrs keeps the allowed attributes of an element: URLs of an
// allowed scheme, sanitized style, dir of a known value.
func cleanAttrs(n *html.Node) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Namespace != "" || !allowedAttr(n.Data, a.Key) {
			continue
		}
		switch a.Key {
		case "href", "src", "cite":
			v, ok := safeURL(a.Key, a.Val)
			if !ok {
				continue
			}
			a.Val = v
		case "style":
			if a.Val = cleanStyle(a.Val); a.Val == "" {
				continue
			}
		case "dir":
			if a.Val = strings.ToLower(strings.TrimSpace(a.Val)); a.Val != "rtl" && a.Val != "ltr" && a.Val != "auto" {
				continue
			}
		}
		out = append(out, a)
	}
	n.Attr = out
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return true
		}
	}
	return false
}

// attr returns the value of an attribute ("" when absent).
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}
