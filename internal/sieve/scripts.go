package sieve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"facteur/internal/atomicfile"
)

// Scripts are the filters of a profile: one script per account, in
// Dir/<account>.sieve (the profile's filters directory), compiled once
// and compiled again when the file changes. Safe for concurrent use.
type Scripts struct {
	Dir string

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	info   os.FileInfo
	mod    time.Time
	size   int64
	host   Host
	script *Script
}

// OpenScripts returns the scripts of dir.
func OpenScripts(dir string) *Scripts {
	return &Scripts{Dir: dir, cache: map[string]cached{}}
}

// ErrBadAccount: the account name cannot name a script file.
var ErrBadAccount = errors.New("sieve: bad account name for a script")

// Path returns the file of an account's script.
func (s *Scripts) Path(account string) (string, error) {
	if account == "" || account == "." || account == ".." || strings.ContainsAny(account, "/\\\x00") {
		return "", fmt.Errorf("%w: %q", ErrBadAccount, account)
	}
	return filepath.Join(s.Dir, account+".sieve"), nil
}

// Load returns the compiled script of an account for host, or nil when
// it has none. A script that does not compile is an *Error.
func (s *Scripts) Load(account string, host Host) (*Script, error) {
	path, err := s.Path(account)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c, ok := s.cache[path]
	s.mu.Unlock()
	if ok && c.host == host && os.SameFile(c.info, st) && c.mod.Equal(st.ModTime()) && c.size == st.Size() {
		return c.script, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := Compile(account+".sieve", src, host)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[path] = cached{info: st, mod: st.ModTime(), size: st.Size(), host: host, script: sc}
	s.mu.Unlock()
	return sc, nil
}

// Read returns the text of an account's script; fs.ErrNotExist when it
// has none.
func (s *Scripts) Read(account string) ([]byte, error) {
	path, err := s.Path(account)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// Install checks a script for host and makes it the account's (written
// to a temporary file, synced, renamed); a script that does not compile
// is not installed.
func (s *Scripts) Install(account string, src []byte, host Host) error {
	path, err := s.Path(account)
	if err != nil {
		return err
	}
	if _, err := Compile(account+".sieve", src, host); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, src, 0o600)
}

// Remove deletes an account's script.
func (s *Scripts) Remove(account string) error {
	path, err := s.Path(account)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Memory returns the vacation memory kept beside the scripts.
func (s *Scripts) Memory() *VacationMemory { return OpenVacationMemory(s.Dir) }
