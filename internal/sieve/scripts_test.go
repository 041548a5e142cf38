package sieve

import (
	"errors"
	"io/fs"
	"testing"
)

func TestScripts(t *testing.T) {
	s := OpenScripts(t.TempDir())
	if sc, err := s.Load("Local", Delivery); sc != nil || err != nil {
		t.Fatalf("no script: %v, %v", sc, err)
	}
	if _, err := s.Read("Local"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read without a script: %v", err)
	}
	var se *Error
	if err := s.Install("Local", []byte("fileinto \"x\";"), Delivery); !errors.As(err, &se) {
		t.Fatalf("a bad script was installed: %v", err)
	}
	if err := s.Install("work", []byte("require \"reject\"; reject \"no\";"), Client); !errors.As(err, &se) {
		t.Errorf("reject installed for an account after sync: %v", err)
	}
	if err := s.Install("Local", []byte("keep;"), Delivery); err != nil {
		t.Fatal(err)
	}
	first, err := s.Load("Local", Delivery)
	if err != nil || first == nil {
		t.Fatal(first, err)
	}
	if again, _ := s.Load("Local", Delivery); again != first {
		t.Error("an unchanged script was compiled again")
	}
	if err := s.Install("Local", []byte("discard;"), Delivery); err != nil {
		t.Fatal(err)
	}
	if next, _ := s.Load("Local", Delivery); next == first || string(next.Source) != "discard;" {
		t.Errorf("the new script was not loaded: %q", next.Source)
	}
	for _, bad := range []string{"", "..", "a/b", `a\b`} {
		if _, err := s.Path(bad); !errors.Is(err, ErrBadAccount) {
			t.Errorf("Path(%q) = %v, want ErrBadAccount", bad, err)
		}
	}
	if err := s.Remove("Local"); err != nil {
		t.Fatal(err)
	}
	if sc, _ := s.Load("Local", Delivery); sc != nil {
		t.Error("a removed script still loads")
	}
}
