// Package thread groups messages into conversations with Jamie Zawinski's
// threading algorithm (https://www.jwz.org/doc/threading.html), the one that
// RFC 5256 (IMAP THREAD=REFERENCES) standardizes: messages are linked by the
// message ids of their Message-ID, References and In-Reply-To fields
// (RFC 5322 section 3.6.4), then roots with the same base subject are
// gathered (RFC 5256 section 2.1, "Re:", "Fwd:"... stripped).
//
// Build works on plain values that the store reads from its index; it does
// no I/O. Differences with the letter of JWZ, on purpose:
//
//   - In-Reply-To is used as well as References: its first id is appended to
//     References when missing from it (truncated References).
//   - A message with no References nor In-Reply-To keeps the parent that the
//     References of other messages presumed for it (the result does not
//     depend on the order of the items).
//   - Subject grouping never merges two roots that are both originals (no
//     "Re:"-like prefix, no references): weekly newsletters and cron mails
//     with the same subject stay apart. A reply without references still
//     joins the original, and replies still gather under a dummy node.
//   - Roots are sorted by the date of the newest message of their thread,
//     newest first; children by date, oldest first (ties by Item.ID).
package thread

import (
	"sort"
	"strings"
	"time"
)

// Item is what threading needs of one message.
type Item struct {
	ID         int64
	MessageID  string   // with or without <>
	InReplyTo  []string // message ids, with or without <>
	References []string // oldest first, as in the header
	Subject    string   // decoded
	Date       time.Time
}

// Node is a message in a thread, or a dummy (Item nil) standing for a
// message that is referenced but missing and has several replies, or for a
// subject shared by several roots. Dummies are found only among roots.
type Node struct {
	Item     *Item // nil for a dummy; points into the slice given to Build
	Parent   *Node
	Children []*Node
}

// Build threads items. The roots are sorted by newest date in their thread
// (descending), children by date (ascending). The nodes point into items,
// which must not be modified while they are in use.
func Build(items []Item) []*Node {
	b := builder{
		ids:   make(map[string]*Node, len(items)+len(items)/2),
		nodes: make([]Node, len(items)),
	}
	for i := range items {
		b.add(&items[i], &b.nodes[i])
	}
	roots := b.roots()
	roots = prune(roots)
	roots = groupBySubject(roots)
	sortThreads(roots)
	return roots
}

// Walk calls fn for every node, depth first, parents before children, in
// order; roots have depth 0.
func Walk(roots []*Node, fn func(n *Node, depth int)) {
	type entry struct {
		n     *Node
		depth int
	}
	stack := make([]entry, 0, 64)
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, entry{roots[i], 0})
	}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		fn(e.n, e.depth)
		for i := len(e.n.Children) - 1; i >= 0; i-- {
			stack = append(stack, entry{e.n.Children[i], e.depth + 1})
		}
	}
}

// builder holds the id table of JWZ's step 1.
type builder struct {
	ids     map[string]*Node
	nodes   []Node  // one per item
	dummies []*Node // containers created for referenced ids
	chunk   []Node  // allocation chunk for dummies
}

// normID removes blanks and angle brackets around a message id.
func normID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	return strings.TrimSpace(s)
}

// add is JWZ's step 1 for one message.
func (b *builder) add(item *Item, own *Node) {
	id := normID(item.MessageID)
	c := own
	if id != "" {
		if known := b.ids[id]; known == nil {
			b.ids[id] = own
		} else if known.Item == nil {
			known.Item = item // the placeholder becomes the message
			c = known
		}
		// else a duplicate id: the message is threaded on its own.
	}
	if c == own {
		own.Item = item
	} // else own stays unused: no item, no parent, never a root
	var parent *Node
	for _, ref := range references(item) {
		rid := normID(ref)
		if rid == "" || rid == id {
			continue
		}
		rc := b.container(rid)
		if parent != nil && rc.Parent == nil && !isAncestor(rc, parent) {
			link(parent, rc)
		}
		parent = rc
	}
	if parent == nil || parent == c.Parent || isAncestor(c, parent) {
		return
	}
	if c.Parent != nil {
		unlink(c)
	}
	link(parent, c)
}

// references returns References, with the first In-Reply-To id appended
// when References lacks it.
func references(item *Item) []string {
	if len(item.InReplyTo) == 0 {
		return item.References
	}
	irt := normID(item.InReplyTo[0])
	for _, r := range item.References {
		if normID(r) == irt {
			return item.References
		}
	}
	refs := make([]string, len(item.References), len(item.References)+1)
	copy(refs, item.References)
	return append(refs, irt)
}

// container returns the node of id, creating a placeholder if needed.
func (b *builder) container(id string) *Node {
	if c := b.ids[id]; c != nil {
		return c
	}
	if len(b.chunk) == 0 {
		b.chunk = make([]Node, 256)
	}
	c := &b.chunk[0]
	b.chunk = b.chunk[1:]
	b.ids[id] = c
	b.dummies = append(b.dummies, c)
	return c
}

// isAncestor reports whether a is n or one of its ancestors.
func isAncestor(a, n *Node) bool {
	if len(a.Children) == 0 {
		return a == n
	}
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

func link(parent, child *Node) {
	child.Parent = parent
	parent.Children = append(parent.Children, child)
}

func unlink(c *Node) {
	p := c.Parent
	for i, s := range p.Children {
		if s == c {
			p.Children = append(p.Children[:i], p.Children[i+1:]...)
			break
		}
	}
	c.Parent = nil
}

// roots is JWZ's step 2: the containers without parent.
func (b *builder) roots() []*Node {
	var roots []*Node
	for i := range b.nodes {
		n := &b.nodes[i]
		if n.Parent == nil && n.Item != nil {
			roots = append(roots, n)
		}
	}
	for _, n := range b.dummies {
		if n.Parent == nil {
			roots = append(roots, n)
		}
	}
	return roots
}

// prune is JWZ's step 4: dummies without children go; below the roots,
// dummies are replaced by their children; a root dummy with a single child
// is replaced by it.
func prune(roots []*Node) []*Node {
	for _, n := range postOrder(roots) {
		if len(n.Children) == 0 {
			continue
		}
		kids := n.Children[:0:0]
		for _, c := range n.Children {
			if c.Item != nil {
				kids = append(kids, c)
				continue
			}
			for _, gc := range c.Children {
				gc.Parent = n
				kids = append(kids, gc)
			}
		}
		n.Children = kids
	}
	out := roots[:0]
	for _, r := range roots {
		switch {
		case r.Item != nil || len(r.Children) > 1:
			out = append(out, r)
		case len(r.Children) == 1:
			r.Children[0].Parent = nil
			out = append(out, r.Children[0])
		}
	}
	return out
}

// postOrder lists every node, children before their parent.
func postOrder(roots []*Node) []*Node {
	var out []*Node
	stack := append([]*Node(nil), roots...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, n)
		stack = append(stack, n.Children...)
	}
	// out is in pre-order with parents first; reversed, every child comes
	// before its parent.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// sortThreads sorts children by date ascending and roots by the newest date
// of their thread, descending.
func sortThreads(roots []*Node) {
	type keyed struct {
		root   *Node
		newest *Item
	}
	keys := make([]keyed, len(roots))
	for i, r := range roots {
		keys[i].root = r
		Walk(roots[i:i+1], func(n *Node, _ int) {
			if len(n.Children) > 1 {
				sort.SliceStable(n.Children, func(i, j int) bool {
					return before(n.Children[i].Item, n.Children[j].Item)
				})
			}
			if n.Item != nil && (keys[i].newest == nil || before(keys[i].newest, n.Item)) {
				keys[i].newest = n.Item
			}
		})
	}
	sort.SliceStable(keys, func(i, j int) bool {
		return before(keys[j].newest, keys[i].newest)
	})
	for i := range keys {
		roots[i] = keys[i].root
	}
}

// before orders by date, then by ID; nil comes first.
func before(a, b *Item) bool {
	if a == nil || b == nil {
		return a == nil && b != nil
	}
	if !a.Date.Equal(b.Date) {
		return a.Date.Before(b.Date)
	}
	return a.ID < b.ID
}
