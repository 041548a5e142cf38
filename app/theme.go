package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// themeMode is the user's choice in View > Theme.
type themeMode string

const (
	themeSystem themeMode = "system"
	themeLight  themeMode = "light"
	themeDark   themeMode = "dark"
)

// prefTheme is the preference key that remembers the theme mode.
const prefTheme = "theme"

// facteurTheme is Fyne's default theme with the variant forced when the user
// chose light or dark instead of following the system.
type facteurTheme struct {
	mode themeMode
}

var _ fyne.Theme = facteurTheme{}

func (t facteurTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := htmlColor(n); ok {
		return c // a text colour of a message (reader_html.go)
	}
	switch t.mode {
	case themeLight:
		v = theme.VariantLight
	case themeDark:
		v = theme.VariantDark
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t facteurTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t facteurTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t facteurTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// setTheme applies and remembers a theme mode.
func (c *controller) setTheme(mode themeMode) {
	c.settings.SetString(prefTheme, string(mode))
	c.app.Settings().SetTheme(facteurTheme{mode: mode})
	c.ui.menu.syncTheme(mode)
}

// savedTheme is the theme mode of the last session.
func savedTheme(s *settings) themeMode {
	switch m := themeMode(s.String(prefTheme)); m {
	case themeLight, themeDark:
		return m
	}
	return themeSystem
}
