package thread

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2000, 5, 11, 18, 0, 0, 0, time.UTC)

// it builds an Item: id is both ID and Message-ID "<m<id>@x>", refs are
// ids of References, irt of In-Reply-To, minutes the date offset.
func it(id int64, subject string, minutes int, refs ...int64) Item {
	item := Item{ID: id, MessageID: mid(id), Subject: subject, Date: t0.Add(time.Duration(minutes) * time.Minute)}
	for _, r := range refs {
		item.References = append(item.References, mid(r))
	}
	return item
}

func mid(id int64) string { return fmt.Sprintf("<m%d@x>", id) }

// render draws a forest: one line per node, indented by depth, "*" for a
// dummy, else the ID.
func render(roots []*Node) string {
	var b strings.Builder
	Walk(roots, func(n *Node, depth int) {
		b.WriteString(strings.Repeat(".", depth))
		if n.Item == nil {
			b.WriteString("*")
		} else {
			fmt.Fprint(&b, n.Item.ID)
		}
		b.WriteString(" ")
	})
	return strings.TrimSpace(b.String())
}

func TestBuild(t *testing.T) {
	irt := func(i Item, ids ...string) Item { i.InReplyTo = ids; return i }
	tests := []struct {
		name  string
		items []Item
		want  string
	}{
		{"empty", nil, ""},
		{"chain", []Item{it(1, "a", 0), it(2, "Re: a", 1, 1), it(3, "Re: a", 2, 1, 2)}, "1 .2 ..3"},
		{"chain, items reversed", []Item{it(3, "Re: a", 2, 1, 2), it(2, "Re: a", 1, 1), it(1, "a", 0)}, "1 .2 ..3"},
		{"In-Reply-To only", []Item{it(1, "a", 0), irt(it(2, "x", 1), "<m1@x>")}, "1 .2"},
		{"In-Reply-To completes truncated References",
			[]Item{it(1, "a", 0), it(2, "b", 1, 1), irt(it(3, "c", 2, 1), "m2@x")}, "1 .2 ..3"},
		{"missing parent, two replies: dummy",
			[]Item{it(2, "Re: a", 1, 1), it(3, "Re: a", 2, 1)}, "* .2 .3"},
		{"missing parent, one reply: promoted", []Item{it(2, "Re: a", 1, 1)}, "2"},
		{"missing middle: dummy spliced",
			[]Item{it(1, "a", 0), it(3, "Re: a", 2, 1, 2), it(4, "Re: a", 3, 1, 2)}, "1 .3 .4"},
		{"siblings sorted by date, roots by newest",
			[]Item{it(1, "a", 0), it(2, "b", 10), it(3, "Re: a", 30, 1), it(4, "Re: a", 20, 1)}, "1 .4 .3 2"},
		{"loop", []Item{it(1, "a", 0, 2), it(2, "b", 1, 1)}, "2 .1"},
		{"self reference", []Item{it(1, "a", 0, 1)}, "1"},
		{"duplicate Message-ID", []Item{it(1, "a", 0), {ID: 2, MessageID: "<m1@x>", Subject: "b", Date: t0.Add(time.Minute)}, it(3, "Re: a", 2, 1)},
			"1 .3 2"},
		{"own References win", []Item{it(1, "a", 0), it(2, "b", 1, 9), it(3, "c", 2, 1, 2)}, "2 .3 1"},
		{"own References win, reversed", []Item{it(3, "c", 2, 1, 2), it(2, "b", 1, 9), it(1, "a", 0)}, "2 .3 1"},
		{"no Message-ID", []Item{{ID: 1, Subject: "a", Date: t0}, {ID: 2, Subject: "b", Date: t0}}, "2 1"},
		{"subject: reply without references joins original",
			[]Item{it(1, "Lunch", 0), it(2, "Re: lunch", 5)}, "1 .2"},
		{"subject: two originals stay apart",
			[]Item{it(1, "Weekly news", 0), it(2, "Weekly news", 5)}, "2 1"},
		{"subject: replies without original gather under a dummy",
			[]Item{it(1, "Re: x", 0), it(2, "AW: x", 5), it(3, "SV: X", 6)}, "* .1 .2 .3"},
		{"subject: reply joins a dummy",
			[]Item{it(2, "Re: a", 1, 1), it(3, "Re: a", 2, 1), it(4, "Fwd: a", 9)}, "* .2 .3 .4"},
		{"subject: empty subjects never grouped", []Item{it(1, "", 0), it(2, "Re:", 1)}, "2 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(Build(tt.items))
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestBuildInvariants checks parent links and that every item is in the
// forest once, on a shuffled generated mailbox, and that the shape does not
// depend on the order of the items.
func TestBuildInvariants(t *testing.T) {
	items := generate(2000, 1)
	want := render(Build(items))
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 3; round++ {
		rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		roots := Build(items)
		checkForest(t, roots, len(items))
		if got := render(roots); got != want {
			t.Fatalf("round %d: the forest depends on the order of the items", round)
		}
	}
}

// checkForest verifies the invariants of Build's result.
func checkForest(t *testing.T, roots []*Node, nItems int) {
	t.Helper()
	seen := make(map[*Item]bool, nItems)
	visits := 0
	Walk(roots, func(n *Node, depth int) {
		visits++
		if visits > 2*nItems+1 {
			t.Fatalf("more nodes than possible: a cycle")
		}
		if depth == 0 && n.Parent != nil || depth > 0 && n.Parent == nil {
			t.Fatalf("depth %d, parent %v", depth, n.Parent)
		}
		for i, c := range n.Children {
			if c.Parent != n {
				t.Fatalf("child's Parent is not its parent")
			}
			if i > 0 && before(c.Item, n.Children[i-1].Item) {
				t.Fatalf("children not sorted by date")
			}
		}
		if n.Item == nil {
			if depth > 0 || len(n.Children) < 2 {
				t.Fatalf("dummy at depth %d with %d children", depth, len(n.Children))
			}
			return
		}
		if seen[n.Item] {
			t.Fatalf("item %d twice", n.Item.ID)
		}
		seen[n.Item] = true
	})
	if len(seen) != nItems {
		t.Fatalf("%d items in the forest, want %d", len(seen), nItems)
	}
	var prev *Item
	for _, r := range roots {
		var newest *Item
		Walk([]*Node{r}, func(n *Node, _ int) {
			if n.Item != nil && (newest == nil || before(newest, n.Item)) {
				newest = n.Item
			}
		})
		if prev != nil && before(prev, newest) {
			t.Fatalf("roots not sorted by newest message")
		}
		prev = newest
	}
}

func TestWalk(t *testing.T) {
	roots := Build([]Item{it(1, "a", 0), it(2, "Re: a", 1, 1), it(3, "Re: a", 2, 1, 2), it(4, "b", 3)})
	var got []string
	Walk(roots, func(n *Node, depth int) { got = append(got, fmt.Sprintf("%d@%d", n.Item.ID, depth)) })
	if s := strings.Join(got, " "); s != "4@0 1@0 2@1 3@2" {
		t.Errorf("Walk: %s", s)
	}
	Walk(nil, func(*Node, int) { t.Fatal("called on nothing") })
}

func TestBaseSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"test itineraire", "test itineraire"},
		{"Re: test", "test"},
		{"RE: Re: re:test", "test"},
		{"Fwd: Fw: FW: test", "test"},
		{"AW: SV: VS: WG: test", "test"},
		{"Réf : test", "test"},
		{"RÉF: TR : test", "test"},
		{"Re[2]: Re(3): Re^4: test", "test"},
		{"[golang-nuts] Re: [golang-nuts] test", "test"},
		{"Re: test (fwd)", "test"},
		{"Re:   many\t blanks  ", "many blanks"},
		{"回复：测试", "测试"},
		{"[only a tag]", "[only a tag]"},
		{"Re:", ""},
		{"Rendez-vous", "Rendez-vous"},
		{"Réunion: lundi", "Réunion: lundi"},
		{"Trip: Paris", "Trip: Paris"},
		{"", ""},
		{"Re: \xff", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := BaseSubject(tt.in); got != tt.want {
			t.Errorf("BaseSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// generate makes a mailbox of n messages in threads of 1 to 40 messages:
// References carry the whole chain (sometimes truncated to the parent, or
// only In-Reply-To), some parents are missing, some replies lack references
// and are found by subject.
func generate(n int, seed uint64) []Item {
	rng := rand.New(rand.NewPCG(seed, 7))
	items := make([]Item, 0, n)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for th := 0; len(items) < n; th++ {
		size := 1 + rng.IntN(40)
		subject := fmt.Sprintf("topic %d", th)
		start := len(items)
		var chains [][]string
		for k := 0; k < size && len(items) < n; k++ {
			id := int64(len(items) + 1)
			item := Item{ID: id, MessageID: fmt.Sprintf("<%d.%d@example.org>", th, k), Subject: subject,
				Date: base.Add(time.Duration(th)*time.Hour + time.Duration(k)*time.Minute)}
			chain := []string{item.MessageID}
			if k > 0 {
				parent := rng.IntN(k)
				item.Subject = "Re: " + subject
				chain = append(append([]string(nil), chains[parent]...), item.MessageID)
				refs := chains[parent]
				switch rng.IntN(20) {
				case 0: // no references: subject only
				case 1:
					item.InReplyTo = refs[len(refs)-1:]
				case 2:
					item.References = refs[len(refs)-1:]
				default:
					item.References = refs
				}
			}
			chains = append(chains, chain)
			items = append(items, item)
		}
		if size > 2 && rng.IntN(10) == 0 { // the first message is missing
			items = append(items[:start], items[start+1:]...)
		}
	}
	return items
}

func BenchmarkBuild100k(b *testing.B) {
	items := generate(100_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		Build(items)
	}
}

// TestDeepChain threads a conversation of 100,000 messages each answering
// the previous one (no recursion, no quadratic walk), in both orders.
func TestDeepChain(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{ID: int64(i + 1), MessageID: mid(int64(i)), Date: t0.Add(time.Duration(i) * time.Second)}
		if i > 0 {
			items[i].InReplyTo = []string{mid(int64(i - 1))}
		}
	}
	for _, reversed := range []bool{false, true} {
		if reversed {
			for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
				items[i], items[j] = items[j], items[i]
			}
		}
		roots := Build(items)
		depth := 0
		Walk(roots, func(_ *Node, d int) { depth = max(depth, d) })
		if len(roots) != 1 || depth != n-1 {
			t.Fatalf("reversed %v: %d roots, depth %d", reversed, len(roots), depth)
		}
	}
}
