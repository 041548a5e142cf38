// Package profile locates Facteur's profile directory: the one folder that holds
// a user's mail (Maildir folders), the SQLite index, the local MTA's queue and the
// settings. Every command takes --profile DIR (or FACTEUR_PROFILE) so that tests
// and scripts never touch the real home.
//
// Without either, the profile lives in the platform's per-user data directory:
// $XDG_DATA_HOME/facteur (default ~/.local/share/facteur) on Unix,
// %AppData%\Facteur on Windows, ~/Library/Application Support/Facteur on macOS.
package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// EnvVar names the environment variable that overrides the default profile.
const EnvVar = "FACTEUR_PROFILE"

// ErrNoHome is returned when no profile was given and the user's home directory
// cannot be determined.
var ErrNoHome = errors.New("profile: no home directory to put the profile in")

// Profile is an opened profile directory.
type Profile struct {
	Dir string // absolute path
}

// Resolve picks the profile directory: flagValue when set, else $FACTEUR_PROFILE,
// else the platform default. The result is absolute; the directory is not created.
func Resolve(flagValue string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv(EnvVar)
	}
	if dir == "" {
		d, err := defaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	return filepath.Abs(dir)
}

// Open resolves the profile directory and creates it (mode 0700) when missing.
func Open(flagValue string) (Profile, error) {
	dir, err := Resolve(flagValue)
	if err != nil {
		return Profile{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Profile{}, fmt.Errorf("profile: create %s: %w", dir, err)
	}
	return Profile{Dir: dir}, nil
}

// MailDir is the directory that mailstore.Open takes: it holds mail/ and index.sqlite.
func (p Profile) MailDir() string { return p.Dir }

// MTADir is the local MTA's directory (queue, spool, TLS key, mbox spool).
func (p Profile) MTADir() string { return filepath.Join(p.Dir, "mta") }

// FiltersDir holds the mail filters: one Sieve script per account
// (<account>.sieve) and the vacation memory.
func (p Profile) FiltersDir() string { return filepath.Join(p.Dir, "filters") }

// ConfigFile is the settings file (accounts, preferences).
func (p Profile) ConfigFile() string { return filepath.Join(p.Dir, "config.json") }

func defaultDir() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios":
		base, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrNoHome, err)
		}
		return filepath.Join(base, "Facteur"), nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "facteur"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoHome, err)
	}
	return filepath.Join(home, ".local", "share", "facteur"), nil
}
