package mailstore

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in       string
		pos, neg string
		bad      bool
	}{
		{in: "hello", pos: `"hello"*`},
		{in: "hello ", pos: `"hello"`},
		{in: "hello world", pos: `"hello" AND "world"*`},
		{in: `"exact phrase"`, pos: `"exact phrase"`},
		{in: `"exact phr`, pos: `"exact phr"*`},
		{in: "from:alice", pos: `{addr_from} : "alice"*`},
		{in: `From:"Alice Martin" x`, pos: `{addr_from} : "Alice Martin" AND "x"*`},
		{in: "to:bob cc:carol ", pos: `{addr_to} : "bob" AND {addr_cc} : "carol"`},
		{in: "subject:meeting body:lunch ", pos: `{subject} : "meeting" AND {body} : "lunch"`},
		{in: "alpha -beta ", pos: `"alpha"`, neg: `"beta"`},
		{in: "is:unread hello", pos: `"hello"*`},
		{in: "hello is:unread", pos: `"hello"`},
		{in: `say "NEAR(a b)" now `, pos: `"say" AND "NEAR(a b)" AND "now"`},
		{in: `a"b`, pos: `"a""b"*`},
		{in: "re: hello ", pos: `"re:" AND "hello"`},
		{in: "http://example.org ", pos: `"http://example.org"`},
		{in: "* hello ) ( ", pos: `"hello"`},
		{in: "folder:INBOX"},
		{in: "has:attachment"},
		{in: "", bad: true},
		{in: "   ", bad: true},
		{in: `"`, bad: true},
		{in: "*", bad: true},
		{in: ")", bad: true},
		{in: "NEAR(", pos: `"NEAR("*`},
		{in: "from:", bad: true},
		{in: "from:*", bad: true},
		{in: "is:bogus", bad: true},
		{in: "has:nothing", bad: true},
		{in: "\xff", bad: true},
	}
	for _, tt := range tests {
		q, err := parseQuery(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrBadQuery) {
				t.Errorf("parseQuery(%q) = %v, want ErrBadQuery", tt.in, err)
			}
			var qe *QueryError
			if err != nil && !errors.As(err, &qe) {
				t.Errorf("parseQuery(%q): error is not a *QueryError", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseQuery(%q): %v", tt.in, err)
			continue
		}
		pos, neg := q.fts()
		if pos != tt.pos || neg != tt.neg {
			t.Errorf("parseQuery(%q) = %q / %q, want %q / %q", tt.in, pos, neg, tt.pos, tt.neg)
		}
	}
}

// searchStore holds a few messages for the search tests.
func searchStore(t testing.TB) *Store {
	s, _ := openTest(t)
	lists := FolderRef{"Local", "Lists/golang"}
	add(t, s, inbox, testMsg{id: "1@x", subject: "Test itinéraire", from: "Christian CALECA <caleca@univ.fr>",
		to: "Marc <marc@machin.com>", body: "Le courrier passe par trois relais.", date: day(1)}, AddOptions{Flags: FlagSeen})
	add(t, s, inbox, testMsg{id: "2@x", subject: "Lunch tomorrow", from: "Alice Martin <alice@example.org>",
		to: "bob@example.com", body: "Shall we meet at noon? The usual place.", date: day(2),
		extra: "Cc: Carol <carol@example.net>\r\n"}, AddOptions{Flags: FlagFlagged})
	add(t, s, inbox, testMsg{id: "3@x", subject: "Report attached", from: "bob@example.com", to: "team@example.com",
		date: day(3), mime: "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: text/plain\r\n\r\nSee the attached report.\r\n--b\r\n" +
			"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"quarterly.pdf\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"}, AddOptions{})
	add(t, s, lists, testMsg{id: "4@x", subject: "[golang-nuts] generics question", from: "gopher@golang.org", to: "golang-nuts@googlegroups.com",
		body: "How do type parameters work with NEAR operators? (asked \"quoted\")", date: day(4)}, AddOptions{})
	return s
}

func TestSearch(t *testing.T) {
	s := searchStore(t)
	ctx := context.Background()
	tests := []struct {
		q    string
		want []string // message ids, newest first
	}{
		{"itineraire", []string{"1@x"}},          // diacritics folded
		{"ITINÉRAIRE ", []string{"1@x"}},         // case folded
		{"relai", []string{"1@x"}},               // last word as prefix
		{"relai ", nil},                          // unless the query ends with a space
		{`"trois relais"`, []string{"1@x"}},      // phrase
		{`"relais trois"`, nil},                  // phrase order
		{"from:alice", []string{"2@x"}},          // name or address
		{"from:caleca@univ.fr", []string{"1@x"}}, // full address
		{"to:bob ", []string{"2@x"}},             // To only (bob is From of 3)
		{"cc:carol", []string{"2@x"}},            // Cc
		{"subject:report", []string{"3@x"}},      // subject only
		{"report ", []string{"3@x"}},             // anywhere
		{"folder:golang", []string{"4@x"}},       // folder name
		{"folder:Local/Lists/golang", []string{"4@x"}},
		{"in:INBOX is:unread", []string{"3@x", "2@x"}}, // unread
		{"is:read", []string{"1@x"}},                   // read
		{"is:flagged", []string{"2@x"}},                // flagged
		{"has:attachment", []string{"3@x"}},            // attachment
		{"quarterly", []string{"3@x"}},                 // attachment names are searched
		{"-has:attachment in:inbox", []string{"2@x", "1@x"}},
		{"the -report ", []string{"2@x"}}, // negation
		{"folder:nope", nil},              // unknown folder: nothing
		{`NEAR(`, []string{"4@x"}},        // FTS5 syntax is text
		{`operators) (`, []string{"4@x"}},
		{`"quoted`, []string{"4@x"}},
		{`AND OR NOT`, nil},
		{`col:umn ^x -* +y {subject}:z`, nil},
	}
	for _, tt := range tests {
		got, err := s.Search(ctx, tt.q, SearchOptions{})
		if err != nil {
			t.Errorf("Search(%q): %v", tt.q, err)
			continue
		}
		var ids []string
		for _, m := range got {
			ids = append(ids, m.MessageID)
		}
		if !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("Search(%q) = %q, want %q", tt.q, ids, tt.want)
		}
	}
	// Restricted to a folder, paged.
	got, err := s.Search(ctx, "e", SearchOptions{Folder: &inbox, Limit: 1, Offset: 1})
	if err != nil || len(got) != 1 || got[0].MessageID != "2@x" {
		t.Errorf("paged folder search: %v %v", got, err)
	}
}

func TestSearchBadQueries(t *testing.T) {
	s := searchStore(t)
	for _, q := range []string{"", `"`, "*", ")", "is:nothing", "from:", "\x00", "-"} {
		_, err := s.Search(context.Background(), q, SearchOptions{})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("Search(%q) = %v, want ErrBadQuery", q, err)
		}
	}
}

func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{"hello", `"a b"`, "from:alice is:unread", `NEAR(a b, 2)`, `"`, "*", ")",
		"-x -y", "folder:INBOX has:attachment", `a:b:c "d`, "{subject}: x", "x AND (y OR z)", "^a", "\x00"} {
		f.Add(seed)
	}
	s := searchStore(f)
	f.Fuzz(func(t *testing.T, q string) {
		_, err := s.Search(context.Background(), q, SearchOptions{Limit: 5})
		if err != nil && !errors.Is(err, ErrBadQuery) {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}
