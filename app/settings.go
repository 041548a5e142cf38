package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"fyne.io/fyne/v2"

	"facteur/internal/atomicfile"
)

// settingsFile is where the window's preferences live, in the profile.
const settingsFile = "settings.json"

// settings are the window's preferences (theme, threads, notifications,
// plain text, the senders whose remote content loads...), kept in the
// profile's settings.json and replaced whole at each change
// (internal/atomicfile): a crash or a full disk while they are saved
// leaves the old file or the new one. Fyne's own preferences file is
// truncated, then written in place, so such a moment lost every
// preference; it is also one file per application, shared by every
// profile (the demo profile of `facteur screenshot` took the user's dark
// theme). What Fyne kept is read once, on the first start with this file
// missing. A file that cannot be read is kept aside (settings.json.bad)
// and the defaults apply. Safe for concurrent use.
type settings struct {
	mu   sync.Mutex
	path string         // "" keeps them in memory only (no profile)
	v    map[string]any // bool, string or []string
	// onError is told when a change cannot be saved (it stays in effect
	// for the session).
	onError func(error)
}

// settingKinds are every setting and its kind, for the migration from
// Fyne's preferences.
var settingKinds = map[string]string{
	prefNotify:        "bool",
	prefUnsubscribed:  "bool",
	prefPlainText:     "bool",
	prefThreads:       "bool",
	prefTheme:         "string",
	prefRemoteSenders: "list",
	prefMonoBody:      "bool",
	prefCollapsed:     "list",
}

// openSettings reads the settings of the profile dir ("" for settings in
// memory), migrating legacy's (Fyne's preferences; nil for none) when the
// profile has none yet. The error says what was wrong with the file; the
// settings returned are usable all the same.
func openSettings(dir string, legacy fyne.Preferences) (*settings, error) {
	s := &settings{v: map[string]any{}}
	if dir == "" {
		s.migrate(legacy)
		return s, nil
	}
	s.path = filepath.Join(dir, settingsFile)
	data, err := os.ReadFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if s.migrate(legacy) {
			return s, s.save()
		}
		return s, nil
	case err != nil:
		return s, fmt.Errorf("settings: %w", err)
	}
	if err := s.decode(data); err != nil {
		bad := s.path + ".bad"
		_ = os.Rename(s.path, bad)
		return s, fmt.Errorf("settings: %s cannot be read (%v): kept as %s, the defaults apply", s.path, err, filepath.Base(bad))
	}
	return s, nil
}

// decode reads the JSON object of the file, keeping the values of the
// kind each known setting has.
func (s *settings) decode(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for k, r := range raw {
		var v any
		switch settingKinds[k] {
		case "bool":
			var b bool
			v = &b
		case "string":
			var str string
			v = &str
		case "list":
			var l []string
			v = &l
		default:
			continue // a setting of a later version: dropped
		}
		if err := json.Unmarshal(r, v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		switch v := v.(type) {
		case *bool:
			s.v[k] = *v
		case *string:
			s.v[k] = *v
		case *[]string:
			s.v[k] = *v
		}
	}
	return nil
}

// migrate copies the settings that legacy holds; it reports whether there
// was one.
func (s *settings) migrate(legacy fyne.Preferences) bool {
	if legacy == nil {
		return false
	}
	found := false
	for k, kind := range settingKinds {
		switch kind {
		case "bool":
			if v := legacy.BoolWithFallback(k, true); v == legacy.BoolWithFallback(k, false) {
				s.v[k], found = v, true
			}
		case "string":
			if v := legacy.String(k); v != "" {
				s.v[k], found = v, true
			}
		case "list":
			if v := legacy.StringList(k); len(v) > 0 {
				s.v[k], found = slices.Clone(v), true
			}
		}
	}
	return found
}

// Bool is a setting that is true or false; fallback when never set.
func (s *settings) Bool(key string, fallback bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.v[key].(bool); ok {
		return v
	}
	return fallback
}

// String is a setting that is a word; "" when never set.
func (s *settings) String(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := s.v[key].(string)
	return v
}

// StringList is a setting that is a list of words, a copy.
func (s *settings) StringList(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := s.v[key].([]string)
	return slices.Clone(v)
}

// SetBool, SetString and SetStringList change a setting and save them all.
func (s *settings) SetBool(key string, v bool)           { s.set(key, v) }
func (s *settings) SetString(key string, v string)       { s.set(key, v) }
func (s *settings) SetStringList(key string, v []string) { s.set(key, slices.Clone(v)) }

func (s *settings) set(key string, v any) {
	s.mu.Lock()
	s.v[key] = v
	err := s.save()
	report := s.onError
	s.mu.Unlock()
	if err != nil && report != nil {
		report(err)
	}
}

// save writes the file whole; called with mu held (or before the settings
// are shared).
func (s *settings) save() error {
	if s.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(s.v, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("settings not saved: %w", err)
	}
	return nil
}
