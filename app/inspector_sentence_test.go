package app

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"

	"facteur/mua/inspect"
)

// useLanguage switches the UI strings to the language of locale until the
// test ends. Fyne's lang package reads the locale from the environment
// when translations are added; the cleanup, registered before the
// environment is changed, runs after it is restored.
func useLanguage(t *testing.T, locale string) {
	t.Helper()
	loadTranslations()
	t.Cleanup(func() { reloadTranslations(t) })
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", locale)
	reloadTranslations(t)
}

func reloadTranslations(t *testing.T) {
	t.Helper()
	if err := lang.AddTranslationsFS(translations, "translation"); err != nil {
		t.Fatal(err)
	}
}

var placeholderRE = regexp.MustCompile(`{{\.(\w+)}}`)

// sampleArgs fills every placeholder of a code's English template with a
// value of its own, plus the names the app adds for French.
func sampleArgs(code string) map[string]string {
	args := map[string]string{}
	for _, m := range placeholderRE.FindAllStringSubmatch(inspect.Template(code), -1) {
		args[m[1]] = "v" + m[1]
	}
	if _, ok := args["Source"]; ok {
		args["SourceName"] = "vSourceName"
	}
	if _, ok := args["Status"]; ok {
		args["StatusName"] = "vStatusName"
	}
	return args
}

// TestInspectorEnglishSentencesAreTheLibrarys: in English the window
// shows, for every code, exactly the library's sentence (the CLI's), so the
// lang.L keys and the library's templates cannot drift apart.
func TestInspectorEnglishSentencesAreTheLibrarys(t *testing.T) {
	useLanguage(t, "en_US.UTF-8")
	codes := inspect.Codes()
	if len(codes) < 20 {
		t.Fatalf("only %d codes", len(codes))
	}
	for _, code := range codes {
		args := sampleArgs(code)
		want := inspect.Render(code, args)
		if got := sentenceText(code, args, "untranslated"); got != want {
			t.Errorf("%s:\n app %q\n lib %q", code, got, want)
		}
	}
	if got := sentenceText("no-such-code", nil, "the library's text"); got != "the library's text" {
		t.Errorf("an unknown code shows %q", got)
	}
}

// TestInspectorFrenchSentences: in French every code has its own
// sentence, which keeps every value of the English one.
func TestInspectorFrenchSentences(t *testing.T) {
	useLanguage(t, "fr_FR.UTF-8")
	for _, code := range inspect.Codes() {
		args := sampleArgs(code)
		got := sentenceText(code, args, "untranslated")
		if got == inspect.Render(code, args) || strings.Contains(got, "<no value>") || got == "untranslated" {
			t.Errorf("%s is not translated: %q", code, got)
		}
		for name, value := range args {
			if name != "Source" && name != "Status" && !strings.Contains(got, value) {
				t.Errorf("%s: the French %q lacks %s", code, got, name)
			}
		}
	}
}

// TestInspectorFrenchNamesOfSourcesAndStatuses: French names the
// envelope's source and the failed look-up in French, and leaves the
// report's arguments alone.
func TestInspectorFrenchNamesOfSourcesAndStatuses(t *testing.T) {
	useLanguage(t, "fr_FR.UTF-8")
	args := map[string]string{"Rcpt": "cache@enprovence.com", "Source": string(inspect.SourceKnown)}
	f := inspect.Finding{Kind: inspect.FindHiddenRecipient, Code: inspect.CodeHiddenRecipient, Args: args}
	got := findingText(f, &inspect.Report{})
	if want := "cache@enprovence.com est destinataire dans l'enveloppe (lu dans\u00a0: l'enveloppe enregistrée par le MTA de Facteur)"; !strings.HasPrefix(got, want) {
		t.Errorf("hidden recipient:\n got %q\nwant %q…", got, want)
	}
	if len(args) != 2 {
		t.Errorf("the finding's arguments were changed: %v", args)
	}
	v := inspect.EntryVerdict{Domain: "enprovence.com", Code: inspect.CodeEntryLookupFailed,
		Args: map[string]string{"Domain": "enprovence.com", "Status": "temporary"}}
	if got, want := verdictText(v), "La requête MX pour enprovence.com a échoué (échec temporaire (SERVFAIL ou délai dépassé))."; got != want {
		t.Errorf("failed look-up:\n got %q\nwant %q", got, want)
	}
}

// TestInspectorInFrench: the course's example, inspected with the UI in
// French, gets its finding and its MX verdict in French.
func TestInspectorInFrench(t *testing.T) {
	useLanguage(t, "fr_FR.UTF-8")
	addr := newDNSZone(t).Start(t)
	h := newHarness(t)
	iv := h.inspectWithDNS(addr, 5*time.Second)
	h.settle()
	want := "L'expéditeur de l'enveloppe christian.caleca@wanadoo.fr (lu dans\u00a0: Return-Path) diffère du champ From " +
		"christian.caleca@w-n-doo.fr\u00a0: les retours d'erreur vont à l'expéditeur de l'enveloppe, pas à l'adresse From."
	if e := iv.env; len(e.findingTexts) != 1 || e.findingTexts[0] != want {
		t.Errorf("findings %q, want %q", e.findingTexts, want)
	}
	if text := tabText(iv, tabEnvelope); !strings.Contains(text, want) {
		t.Errorf("the envelope tab does not show the finding:\n%s", text)
	}
	verdict := "Le saut 3 a été reçu par mail.monaco.net, le MX primaire de enprovence.com (préférence 10)."
	if text := tabText(iv, tabDNS); !strings.Contains(text, verdict) {
		t.Errorf("the DNS tab lacks %q:\n%s", verdict, text)
	}
}
