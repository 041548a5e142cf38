package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// The settings live in the profile: what Fyne's preferences held is taken
// over on the first start, kept across restarts, apart for each profile.
func TestSettingsMigrateAndPersist(t *testing.T) {
	legacy := test.NewTempApp(t).Preferences()
	legacy.SetString(prefTheme, string(themeDark))
	legacy.SetBool(prefThreads, true)
	legacy.SetBool(prefNotify, false)
	legacy.SetStringList(prefRemoteSenders, []string{"news@shop.example"})
	dir := t.TempDir()
	s, err := openSettings(dir, legacy)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, s *settings) {
		t.Helper()
		if savedTheme(s) != themeDark || !s.Bool(prefThreads, false) || s.Bool(prefNotify, true) ||
			s.Bool(prefPlainText, false) || !slices.Equal(s.StringList(prefRemoteSenders), []string{"news@shop.example"}) {
			t.Errorf("%s: %v", what, s.v)
		}
	}
	check("migrated", s)
	legacy.SetString(prefTheme, string(themeLight)) // read once only
	again, err := openSettings(dir, legacy)
	if err != nil {
		t.Fatal(err)
	}
	check("reopened", again)
	again.SetStringList(prefRemoteSenders, append(again.StringList(prefRemoteSenders), "bank@example.org"))
	again.SetBool(prefPlainText, true)
	third, _ := openSettings(dir, nil)
	if !third.Bool(prefPlainText, false) || len(third.StringList(prefRemoteSenders)) != 2 {
		t.Errorf("changes not kept: %v", third.v)
	}
	other, _ := openSettings(t.TempDir(), nil)
	if savedTheme(other) != themeSystem || other.Bool(prefThreads, false) {
		t.Errorf("another profile shares the settings: %v", other.v)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".settings.json.tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// A file that cannot be read is kept aside with a clear error, the
// defaults apply, and the next change writes a good file; a change that
// cannot be saved says so and stays in effect.
func TestSettingsBadFileAndFailedSave(t *testing.T) {
	for _, bad := range []string{"", "{\"theme\": \"dark\", \"threads\": ", `{"threads": "yes"}`, `[1, 2]`} {
		dir := t.TempDir()
		path := filepath.Join(dir, settingsFile)
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := openSettings(dir, nil)
		if err == nil || !strings.Contains(err.Error(), "settings.json.bad") {
			t.Errorf("%q: error %v, want one naming settings.json.bad", bad, err)
		}
		if kept, _ := os.ReadFile(path + ".bad"); string(kept) != bad {
			t.Errorf("%q: kept aside %q", bad, kept)
		}
		s.SetBool(prefThreads, true)
		if s2, err := openSettings(dir, nil); err != nil || !s2.Bool(prefThreads, false) {
			t.Errorf("%q: after a change: %v %v", bad, err, s2.v)
		}
	}
	block := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(block, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := openSettings(block, nil) // the profile is a file: nothing can be saved
	var got error
	s.onError = func(err error) { got = err }
	s.SetString(prefTheme, string(themeLight))
	if got == nil || !strings.Contains(got.Error(), "settings not saved") || savedTheme(s) != themeLight {
		t.Errorf("failed save: %v, theme %q", got, savedTheme(s))
	}
}
