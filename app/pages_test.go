package app

import (
	"testing"

	"facteur/mailstore"
)

func page(first, n int) []mailstore.Summary {
	rows := make([]mailstore.Summary, n)
	for i := range rows {
		rows[i].ID = int64(first + i + 1)
	}
	return rows
}

func TestPageCacheLoadsOnDemand(t *testing.T) {
	p := newPageCache()
	gen := p.reset(100000, false)
	if _, ok, need := p.row(450); ok || need != 2 {
		t.Fatalf("row 450: ok=%v need=%d, want page 2", ok, need)
	}
	if _, _, need := p.row(451); need != -1 {
		t.Fatal("a page on its way was asked twice")
	}
	if p.fill(gen-1, 2, page(400, pageSize)) {
		t.Fatal("a page of an old generation was kept")
	}
	p.fill(gen, 2, page(400, pageSize))
	if s, ok, _ := p.row(450); !ok || s.ID != 451 {
		t.Fatalf("row 450 = %v %v", s.ID, ok)
	}
	for pg := 10; pg < 10+maxPages+5; pg++ {
		p.fill(gen, pg, page(pg*pageSize, pageSize))
	}
	if len(p.pages) != maxPages {
		t.Errorf("%d pages kept, want at most %d", len(p.pages), maxPages)
	}
}

func TestPageCacheOpenEnded(t *testing.T) {
	p := newPageCache()
	gen := p.reset(0, true)
	if p.length() != 1 {
		t.Fatalf("an open listing shows %d rows, want the loading row", p.length())
	}
	p.fill(gen, 0, page(0, pageSize))
	if !p.open || p.length() != pageSize+1 {
		t.Fatalf("after a full page: open=%v length=%d", p.open, p.length())
	}
	p.fill(gen, 1, page(pageSize, 5))
	if p.open || p.length() != pageSize+5 {
		t.Fatalf("after the last page: open=%v length=%d", p.open, p.length())
	}
}

func TestPageCacheRemoveShiftsRows(t *testing.T) {
	p := newPageCache()
	gen := p.reset(3*pageSize, false)
	p.fill(gen, 0, page(0, pageSize))
	p.fill(gen, 1, page(pageSize, pageSize))
	p.removeAt(10)
	if p.total != 3*pageSize-1 {
		t.Fatalf("total %d", p.total)
	}
	if s, ok, _ := p.row(10); !ok || s.ID != 12 {
		t.Errorf("row 10 = %d, want the former row 11 (id 12)", s.ID)
	}
	if s, ok, _ := p.row(pageSize - 1); !ok || s.ID != pageSize+1 {
		t.Errorf("last row of page 0 = %d, want the first of page 1", s.ID)
	}
	// Page 1 lost its last row to page 2, which is not loaded: it must reload.
	if _, ok, need := p.row(pageSize + 3); ok || need != 1 {
		t.Errorf("page 1 after the shift: ok=%v need=%d, want a reload", ok, need)
	}
	if i := p.indexOf(12); i != 10 {
		t.Errorf("indexOf(12) = %d", i)
	}
}
