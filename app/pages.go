package app

import (
	"slices"

	"facteur/mailstore"
)

// pageSize is the number of rows one store call brings; maxPages bounds the rows
// kept in memory, whatever the size of the folder.
const (
	pageSize = 200
	maxPages = 40
)

// pageCache holds the rows of the message list, page by page, as the list asks
// for them. It belongs to the UI goroutine. total is the number of rows; when
// open is set more rows may follow (search results, whose count is unknown), and
// the list shows one extra "loading" row that asks for the next page.
type pageCache struct {
	gen   int // bumped by reset: pages of an older generation are dropped
	total int
	open  bool
	pages map[int][]mailstore.Summary
	asked map[int]bool
	lru   []int
}

func newPageCache() *pageCache {
	p := &pageCache{}
	p.reset(0, false)
	return p
}

// reset empties the cache for a new listing and returns its generation.
func (p *pageCache) reset(total int, open bool) int {
	p.gen++
	p.total, p.open = total, open
	p.pages = map[int][]mailstore.Summary{}
	p.asked = map[int]bool{}
	p.lru = nil
	return p.gen
}

// length is the number of rows the list shows.
func (p *pageCache) length() int {
	if p.open {
		return p.total + 1
	}
	return p.total
}

// row returns row i when its page is loaded; otherwise need is the page to load,
// or -1 when that page is already on its way.
func (p *pageCache) row(i int) (s mailstore.Summary, ok bool, need int) {
	page := i / pageSize
	rows, loaded := p.pages[page]
	if loaded {
		p.touch(page)
		if off := i % pageSize; off < len(rows) {
			return rows[off], true, -1
		}
		return s, false, -1
	}
	if p.asked[page] {
		return s, false, -1
	}
	p.asked[page] = true
	return s, false, page
}

// fill stores a page that arrived; it reports false for a stale generation.
func (p *pageCache) fill(gen, page int, rows []mailstore.Summary) bool {
	if gen != p.gen {
		return false
	}
	delete(p.asked, page)
	p.pages[page] = rows
	p.touch(page)
	end := page*pageSize + len(rows)
	switch {
	case p.open && len(rows) < pageSize:
		p.open, p.total = false, end
	case p.open && end > p.total:
		p.total = end
	case !p.open && len(rows) < pageSize && end < p.total:
		p.total = end // the folder shrank since it was counted
	}
	p.evict()
	return true
}

// forget lets a page be asked again (after a failed load).
func (p *pageCache) forget(gen, page int) {
	if gen == p.gen {
		delete(p.asked, page)
	}
}

func (p *pageCache) touch(page int) {
	if n := len(p.lru); n > 0 && p.lru[n-1] == page {
		return
	}
	p.lru = slices.DeleteFunc(p.lru, func(q int) bool { return q == page })
	p.lru = append(p.lru, page)
}

func (p *pageCache) evict() {
	for len(p.lru) > maxPages {
		delete(p.pages, p.lru[0])
		p.lru = p.lru[1:]
	}
}

// loadedPages lists the pages in memory, most recently used last.
func (p *pageCache) loadedPages() []int {
	return slices.Clone(p.lru)
}

// indexOf returns the row index of message id, or -1 when it is not loaded.
func (p *pageCache) indexOf(id int64) int {
	for page, rows := range p.pages {
		for off, s := range rows {
			if s.ID == id {
				return page*pageSize + off
			}
		}
	}
	return -1
}

// find returns the index of the first loaded row that matches, or -1.
func (p *pageCache) find(match func(mailstore.Summary) bool) int {
	pages := make([]int, 0, len(p.pages))
	for page := range p.pages {
		pages = append(pages, page)
	}
	slices.Sort(pages)
	for _, page := range pages {
		for off, s := range p.pages[page] {
			if match(s) {
				return page*pageSize + off
			}
		}
	}
	return -1
}

// update applies fn to the loaded row of message id and returns its index.
func (p *pageCache) update(id int64, fn func(*mailstore.Summary)) int {
	i := p.indexOf(id)
	if i >= 0 {
		fn(&p.pages[i/pageSize][i%pageSize])
	}
	return i
}

// removeAt drops row i: later rows move up by one. Pages after a gap in the
// cache cannot be shifted and are dropped, to be loaded again.
func (p *pageCache) removeAt(i int) {
	if i < 0 || i >= p.total {
		return
	}
	page := i / pageSize
	rows, ok := p.pages[page]
	if !ok {
		p.dropFrom(page)
	} else {
		off := i % pageSize
		if off < len(rows) {
			p.pages[page] = slices.Delete(slices.Clone(rows), off, off+1)
		}
		p.shiftFrom(page)
	}
	p.total--
}

// shiftFrom moves the first row of each following page to the end of the one
// before it, while the pages are contiguous.
func (p *pageCache) shiftFrom(page int) {
	for q := page + 1; ; q++ {
		next, ok := p.pages[q]
		if !ok {
			if q*pageSize < p.total {
				p.dropFrom(q - 1) // the row that should move up is not loaded
			}
			return
		}
		if len(next) == 0 {
			return
		}
		p.pages[q-1] = append(p.pages[q-1], next[0])
		p.pages[q] = slices.Clone(next[1:])
	}
}

// dropFrom forgets page and every page after it.
func (p *pageCache) dropFrom(page int) {
	for q := range p.pages {
		if q >= page {
			delete(p.pages, q)
		}
	}
	for q := range p.asked {
		if q >= page {
			delete(p.asked, q)
		}
	}
	p.lru = slices.DeleteFunc(p.lru, func(q int) bool { return q >= page })
}
