package compose

import (
	"errors"
	"strings"
	"testing"
	"time"

	"facteur/mua/account"
)

func TestBuildDraftKeepsWhatIsTyped(t *testing.T) {
	d := New(account.Identity{Address: "fred@truc.fr"})
	d.Subject = "pas fini"
	raw, err := BuildDraft(d, time.Now())
	if err != nil {
		t.Fatalf("a draft without recipient: %v", err)
	}
	if !strings.Contains(string(raw), "Subject: pas fini") {
		t.Errorf("no subject:\n%s", raw)
	}
	d.To, d.Bcc = "<@a.fr:u@b.fr>", "marc@machin.com"
	raw, err = BuildDraft(d, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"To: <@a.fr:u@b.fr>", "Bcc: <marc@machin.com>"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("draft lacks %q:\n%s", want, raw)
		}
	}
	d.Subject = "x\r\nBcc: evil@example.com"
	if _, err := BuildDraft(d, time.Now()); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("injection: %v", err)
	}
}
