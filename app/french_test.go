package app

import (
	"regexp"
	"strings"
	"testing"
)

// frenchSyntax are the parts of French strings that are not French prose:
// search operators, header and protocol syntax, times, placeholders.
var frenchSyntax = regexp.MustCompile(`\b(from|to|cc|subject|folder|is|has):|\{\{\.Field\}\}:|List-Id:|FROM:<|recipients:;|` +
	`\(Nom: adresses;\)|=\?charset\?Q/B\?texte\?=|\d:\d|IPv6:|[a-z]+://|mailto:|\{\{[^}]*\}\}`)

// frenchArticle finds "de le", "à les"...: French contracts them (du, au,
// des, aux), and "de {{.Server}}", whose value starts with "le serveur".
var frenchArticle = regexp.MustCompile(`(?i)\b(de|à) (le|les)\b|\b(de|à) \{\{\.Server\}\}`)

// frenchValues are the French strings, plural forms included.
func frenchValues(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for key, v := range readTranslation(t, "fr.json") {
		switch v := v.(type) {
		case string:
			out[key] = v
		case map[string]any:
			for form, s := range v {
				out[key+" ["+form+"]"], _ = s.(string)
			}
		}
	}
	return out
}

// French typography: a no-break space before : ; ? ! (and inside « »), and
// the articles contracted after de and à.
func TestFrenchTypographyAndArticles(t *testing.T) {
	for key, v := range frenchValues(t) {
		if m := frenchArticle.FindString(v); m != "" {
			t.Errorf("%q: %q in %q", key, m, v)
		}
		prose := []rune(frenchSyntax.ReplaceAllString(v, ""))
		for i, r := range prose {
			if !strings.ContainsRune(":;?!", r) {
				continue
			}
			if i == 0 || (prose[i-1] != '\u00a0' && prose[i-1] != '\u202f') {
				t.Errorf("%q: no no-break space before %q in %q", key, r, v)
			}
		}
		if strings.Contains(v, "« ") || strings.Contains(v, " »") {
			t.Errorf("%q: a breaking space inside « » in %q", key, v)
		}
	}
}
