package htmldoc

import (
	"strconv"
	"strings"
)

// Text writes the document as plain text, as search indexing, the quoting
// of replies and the command line read it: paragraphs and other blocks
// separated by a blank line, the line breaks kept, list items after "- "
// or their number, quotes after "> " on each line (as a reply quotes),
// table rows one a line with their cells separated by a blank; images and
// rules are left out.
func (d *Document) Text() string {
	var b strings.Builder
	writeBlocks(&b, d.Blocks, "\n\n")
	return b.String()
}

// writeBlocks writes blocks separated by sep.
func writeBlocks(b *strings.Builder, blocks []Block, sep string) {
	first := true
	for _, blk := range blocks {
		t := blockText(blk)
		if t == "" {
			continue
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(t)
	}
}

// blockText is the text of one block.
func blockText(blk Block) string {
	switch blk.Kind {
	case Paragraph, Heading:
		return strings.TrimSpace(runsText(blk.Inlines))
	case Preformatted:
		return strings.TrimRight(runsText(blk.Inlines), " \n")
	case Quote:
		var b strings.Builder
		writeBlocks(&b, blk.Children, "\n\n")
		return prefixLines(b.String(), ">", "> ")
	case List:
		return listText(blk)
	case Table:
		return tableText(blk)
	}
	return ""
}

// runsText joins the text of runs; images have none (and the blanks
// around one become one).
func runsText(runs []Inline) string {
	var b strings.Builder
	image := false
	for _, in := range runs {
		t := in.Text
		if in.Image != nil {
			image = true
			continue
		}
		if image && strings.HasPrefix(t, " ") && strings.HasSuffix(b.String(), " ") {
			t = t[1:]
		}
		image = false
		b.WriteString(t)
	}
	return b.String()
}

// prefixLines quotes the lines of s as replies do: prefix before text,
// empty alone on an empty line, one more '>' before a line quoted already.
func prefixLines(s, empty, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		switch {
		case l == "":
			lines[i] = empty
		case strings.HasPrefix(l, ">"):
			lines[i] = ">" + l // nested quotes: ">> "
		default:
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// listText writes the items of a list, one after the other, their next
// lines indented under the first.
func listText(blk Block) string {
	var b strings.Builder
	n := blk.Start
	for _, item := range blk.Items {
		var ib strings.Builder
		writeBlocks(&ib, item, "\n")
		if ib.Len() == 0 {
			n++
			continue
		}
		marker := "- "
		if blk.Ordered {
			marker = strconv.Itoa(n) + ". "
		}
		n++
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		lines := strings.Split(ib.String(), "\n")
		b.WriteString(marker + lines[0])
		pad := strings.Repeat(" ", len(marker))
		for _, l := range lines[1:] {
			b.WriteByte('\n')
			if l != "" {
				b.WriteString(pad + l)
			}
		}
	}
	return b.String()
}

// tableText writes a table one row a line, cells separated by a blank.
func tableText(blk Block) string {
	var rows []string
	for _, r := range blk.Rows {
		var cells []string
		for _, c := range r.Cells {
			var cb strings.Builder
			writeBlocks(&cb, c.Blocks, " ")
			if t := strings.Join(strings.Fields(cb.String()), " "); t != "" {
				cells = append(cells, t)
			}
		}
		if len(cells) > 0 {
			rows = append(rows, strings.Join(cells, " "))
		}
	}
	return strings.Join(rows, "\n")
}
