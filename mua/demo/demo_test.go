package demo

import (
	"context"
	"testing"

	"facteur/mailstore"
)

func TestSeedFillsEmptyStoreOnce(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	seeded, err := Seed(ctx, s)
	if err != nil || !seeded {
		t.Fatalf("first Seed = %v, %v; want true, nil", seeded, err)
	}
	want := map[string]int{"INBOX": 9, "Sent": 1, "Drafts": 1, "Archive": 1, "Trash": 0, "Junk": 0}
	got := map[string]int{}
	fs, err := s.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Ref.Account == Account {
			got[f.Ref.Name] = f.Total
		}
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("folder %s holds %d messages, want %d", name, got[name], n)
		}
	}

	inbox := mailstore.FolderRef{Account: Account, Name: "INBOX"}
	hits, err := s.Search(ctx, `subject:itineraire from:caleca`, mailstore.SearchOptions{Folder: &inbox})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Subject != "test itineraire" {
		t.Fatalf("course example not found by search: %+v", hits)
	}

	again, err := Seed(ctx, s)
	if err != nil || again {
		t.Fatalf("second Seed = %v, %v; want false, nil", again, err)
	}
}

func TestSessionMessageKeepsEnvelope(t *testing.T) {
	ctx := context.Background()
	s, err := mailstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, `subject:essai`, mailstore.SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("search essai: %v, %d hits", err, len(hits))
	}
	env := hits[0].Envelope
	if env == nil || env.MailFrom != "paul@uvsq.fr" || len(env.RcptTo) != 1 || env.RcptTo[0] != "jean@jussieu.fr" {
		t.Fatalf("envelope = %+v, want paul@uvsq.fr -> jean@jussieu.fr", env)
	}
}
