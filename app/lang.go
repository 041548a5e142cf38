package app

import (
	"embed"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	_ "facteur/internal/localeenv" // before Fyne reads the locale
)

// translations holds the UI strings: en.json and fr.json, in go-i18n's JSON
// form, keyed by the English text (lang.L) or by a dotted name (lang.X).
//
//go:embed translation
var translations embed.FS

var loadTranslations = sync.OnceFunc(func() {
	if err := lang.AddTranslationsFS(translations, "translation"); err != nil {
		fyne.LogError("facteur: loading translations", err)
	}
})
