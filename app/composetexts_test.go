package app

import (
	"strings"
	"testing"
	"time"

	"facteur/internal/message"
	"facteur/mua/account"
	"facteur/mua/compose"
)

var marc = account.Identity{Name: "Marc", Address: "marc@machin.com"}

func TestComposeTextsFollowTheLanguage(t *testing.T) {
	m := &message.Message{From: []message.Address{{Name: "Christian CALECA", Addr: "christian.caleca@w-n-doo.fr"}},
		Date: time.Date(2000, 5, 11, 18, 19, 0, 0, time.FixedZone("", 2*3600)), Text: "Test d'itineraire.\n"}
	o := compose.Original{Msg: m}

	loadTranslations()
	o.Texts = composeTexts()
	english := compose.Reply(o, marc).Body
	if want := compose.Reply(compose.Original{Msg: m}, marc).Body; english != want {
		t.Errorf("the English window writes %q, the library %q", english, want)
	}

	useLanguage(t, "fr_FR.UTF-8")
	o.Texts = composeTexts()
	if got, want := compose.Reply(o, marc).Body, "\nLe 11/05/2000 à 18:19, Christian CALECA a écrit\u00a0:\n\n> Test d'itineraire.\n"; got != want {
		t.Errorf("French reply %q, want %q", got, want)
	}
	d, err := compose.Forward(o, marc)
	if err != nil || !strings.Contains(d.Body, "---------- Message transféré ----------") {
		t.Errorf("French forward %q, %v", d.Body, err)
	}
}

func TestAddressReasonsInFrench(t *testing.T) {
	useLanguage(t, "fr_FR.UTF-8")
	for field, want := range map[string]string{
		"<@relais.fr:paul@uvsq.fr>": "route source (abandonnée par la RFC 1123",
		"fred":                      "il manque @domaine",
	} {
		errs := compose.CheckField("Cc", field)
		if len(errs) != 1 {
			t.Fatalf("CheckField(%q) = %v", field, errs)
		}
		if got := addressReason(errs[0]); !strings.HasPrefix(got, want) {
			t.Errorf("reason of %q: %q, want %q…", field, got, want)
		}
	}
}
