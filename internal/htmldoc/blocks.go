package htmldoc

import (
	"strings"

	"golang.org/x/net/html"
)

// heading converts h1 to h6: one Heading block of the text inside; blocks
// nested in it (rare) follow it.
func (b *builder) heading(n *html.Node, c ctx, level int) {
	b.endPara()
	b.push(false)
	b.children(n, c)
	blocks := b.pop()
	var runs []Inline
	var rest []Block
	rtl := false
	for _, blk := range blocks {
		if blk.Kind != Paragraph {
			rest = append(rest, blk)
			continue
		}
		if len(runs) == 0 {
			rtl = blk.RTL
		} else {
			runs = append(runs, Inline{Text: "\n"})
		}
		runs = append(runs, blk.Inlines...)
	}
	if len(runs) > 0 {
		b.add(Block{Kind: Heading, Level: level, Inlines: runs, Align: c.align, RTL: rtl})
	}
	for _, blk := range rest {
		b.add(blk)
	}
}

// pre converts preformatted text: the paragraphs of its flow become
// Preformatted blocks; what else it holds (broken markup puts tables and
// divisions in a pre) keeps its place among them.
func (b *builder) pre(n *html.Node, c ctx) {
	b.endPara()
	b.push(true)
	b.children(n, c)
	for _, blk := range b.pop() {
		if blk.Kind == Paragraph {
			blk.Kind, blk.Align = Preformatted, AlignStart
		}
		b.add(blk)
	}
}

// quote converts a blockquote (or a bordered division of Outlook): one
// Quote of the blocks inside. Past maxQuoteDepth, quotes nest no more.
func (b *builder) quote(n *html.Node, c ctx) {
	if c.depth >= maxQuoteDepth {
		b.breakLine(2)
		b.children(n, c)
		b.breakLine(2)
		return
	}
	b.endPara()
	c.depth++
	b.push(b.top().pre)
	b.children(n, c)
	if blocks := b.pop(); len(blocks) > 0 {
		b.add(Block{Kind: Quote, Children: blocks})
	}
}

// list converts ul and ol: each li is an item; what else the list holds
// (a nested list written outside of an li, text) joins the item before it.
func (b *builder) list(n *html.Node, c ctx) {
	if c.depth >= maxQuoteDepth {
		b.breakLine(1)
		b.children(n, c)
		b.breakLine(1)
		return
	}
	b.endPara()
	c.depth++
	blk := Block{Kind: List, Ordered: n.Data == "ol", Start: listStart(n), RTL: c.dir == 2}
	if n.Data == "li" { // an item alone
		blk.Items = [][]Block{b.item(n, c)}
	} else {
		blk.Items = b.items(n, c)
	}
	if len(blk.Items) > 0 {
		b.add(blk)
	}
}

// items converts the children of a list into items.
func (b *builder) items(n *html.Node, c ctx) [][]Block {
	var items [][]Block
	for ch := n.FirstChild; ch != nil && !b.full; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.Data == "li" {
			if item := b.item(ch, c); len(item) > 0 {
				items = append(items, item)
			}
			continue
		}
		b.push(false)
		switch ch.Type {
		case html.TextNode:
			b.text(ch.Data, c)
		case html.ElementNode:
			b.element(ch, c)
		}
		extra := b.pop()
		switch {
		case len(extra) == 0:
		case len(items) == 0:
			items = append(items, extra)
		default:
			items[len(items)-1] = append(items[len(items)-1], extra...)
		}
	}
	return items
}

// item converts the content of one li.
func (b *builder) item(n *html.Node, c ctx) []Block {
	si := readStyle(attr(n, "style"))
	if si.hidden {
		return nil
	}
	c = b.inherit(n, c, si)
	b.push(false)
	b.children(n, c)
	return b.pop()
}

// isDataTable tells a simple table of data, shown as a grid, from a table
// that lays a page out, flattened into blocks: a data table has 2 to 8
// columns and at least 2 rows, no nested table, and cells of short text
// (at most 2 lines, no headings, quotes, lists or images); a table marked
// role="presentation" is layout.
func isDataTable(n *html.Node) bool {
	if strings.EqualFold(attr(n, "role"), "presentation") {
		return false
	}
	rows := tableRows(n)
	if len(rows) < 2 {
		return false
	}
	cols := 0
	for _, r := range rows {
		cells := rowCells(r)
		cols = max(cols, len(cells))
		for _, cell := range cells {
			if !simpleCell(cell) {
				return false
			}
		}
	}
	return cols >= 2 && cols <= 8
}

// tableRows lists the rows of a table (in thead, tbody, tfoot or directly
// in it), not those of nested tables.
func tableRows(t *html.Node) []*html.Node {
	var rows []*html.Node
	for ch := t.FirstChild; ch != nil; ch = ch.NextSibling {
		switch ch.Data {
		case "tr":
			rows = append(rows, ch)
		case "thead", "tbody", "tfoot":
			for r := ch.FirstChild; r != nil; r = r.NextSibling {
				if r.Data == "tr" {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}

// rowCells lists the cells of a row.
func rowCells(r *html.Node) []*html.Node {
	var cells []*html.Node
	for ch := r.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && (ch.Data == "td" || ch.Data == "th") {
			cells = append(cells, ch)
		}
	}
	return cells
}

// simpleCell reports a cell of short text, without structure.
func simpleCell(cell *html.Node) bool {
	size, lines := 0, 0
	stack := []*html.Node{cell}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case x.Type == html.TextNode:
			size += len(strings.TrimSpace(x.Data))
		case x.Type != html.ElementNode:
		case !inlineOnly(x.Data):
			return false
		case x.Data == "br" || x.Data == "p" || x.Data == "div":
			lines++
		}
		if size > 160 || lines > 2 {
			return false
		}
		for ch := x.FirstChild; ch != nil; ch = ch.NextSibling {
			stack = append(stack, ch)
		}
	}
	return true
}

// inlineOnly reports the elements a simple cell may hold.
func inlineOnly(tag string) bool {
	switch tag {
	case "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "img", "dl":
		return false
	}
	return true
}

// table converts a data table: rows of cells, each cell its blocks; the
// caption is a paragraph before it.
func (b *builder) table(n *html.Node, c ctx) {
	b.endPara()
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Data == "caption" {
			b.element(ch, c)
			b.endPara()
		}
	}
	blk := Block{Kind: Table, RTL: c.dir == 2}
	for _, r := range tableRows(n) {
		var row Row
		for _, cell := range rowCells(r) {
			cc := b.inherit(cell, c, readStyle(attr(cell, "style")))
			b.push(false)
			b.children(cell, cc)
			row.Cells = append(row.Cells, Cell{Blocks: b.pop(), Header: cell.Data == "th"})
		}
		if len(row.Cells) > 0 {
			blk.Rows = append(blk.Rows, row)
		}
	}
	b.add(blk)
}
