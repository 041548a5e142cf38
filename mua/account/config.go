package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"sync"

	"facteur/internal/atomicfile"
)

// Book is the list of accounts kept in the profile's settings file. Its
// methods are safe for concurrent use within one process; each change is
// read-modify-write of the file, so other settings in it are kept.
type Book struct {
	path string
	mu   sync.Mutex
}

// OpenBook returns the accounts of the settings file at path
// (profile.ConfigFile()). The file need not exist.
func OpenBook(path string) *Book { return &Book{path: path} }

// Path is the settings file.
func (b *Book) Path() string { return b.path }

// List returns the accounts sorted by name.
func (b *Book) List() ([]Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, list, err := b.read()
	return list, err
}

// Get returns the account by that name, or ErrNotFound.
func (b *Book) Get(name string) (Account, error) {
	list, err := b.List()
	if err != nil {
		return Account{}, err
	}
	for _, a := range list {
		if a.Name == name {
			return a, nil
		}
	}
	return Account{}, fmt.Errorf("%w: account %q", ErrNotFound, name)
}

// Add saves a new account; ErrExists when the name is taken.
func (b *Book) Add(a Account) error {
	return b.update(a.Name, func(list []Account, i int) ([]Account, error) {
		if i >= 0 {
			return nil, fmt.Errorf("%w: account %q", ErrExists, a.Name)
		}
		if err := a.Validate(); err != nil {
			return nil, err
		}
		return append(list, a), nil
	})
}

// Put saves an account, replacing the one of the same name if any.
func (b *Book) Put(a Account) error {
	return b.update(a.Name, func(list []Account, i int) ([]Account, error) {
		if err := a.Validate(); err != nil {
			return nil, err
		}
		if i >= 0 {
			list[i] = a
			return list, nil
		}
		return append(list, a), nil
	})
}

// Remove deletes an account from the file (not its mail nor its password).
func (b *Book) Remove(name string) error {
	return b.update(name, func(list []Account, i int) ([]Account, error) {
		if i < 0 {
			return nil, fmt.Errorf("%w: account %q", ErrNotFound, name)
		}
		return append(list[:i], list[i+1:]...), nil
	})
}

func (b *Book) update(name string, fn func([]Account, int) ([]Account, error)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	doc, list, err := b.read()
	if err != nil {
		return err
	}
	i := -1
	for j := range list {
		if list[j].Name == name {
			i = j
		}
	}
	list, err = fn(list, i)
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	raw, err := json.Marshal(list)
	if err != nil {
		return err
	}
	doc["accounts"] = raw
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	// 0600: on Windows, a protected DACL for the owner alone
	return atomicfile.WriteFile(b.path, append(out, '\n'), 0o600)
}

// read returns the whole document (other keys kept) and the accounts.
func (b *Book) read() (map[string]json.RawMessage, []Account, error) {
	doc := map[string]json.RawMessage{}
	data, err := os.ReadFile(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, &ConfigError{Path: b.path, Err: err}
	}
	var list []Account
	if raw, ok := doc["accounts"]; ok {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, nil, &ConfigError{Path: b.path, Err: err}
		}
	}
	return doc, list, nil
}

// ConfigError is a settings file that could not be read.
type ConfigError struct {
	Path string
	Err  error
}

func (e *ConfigError) Error() string {
	return "account: settings file " + e.Path + ": " + e.Err.Error()
}
func (e *ConfigError) Unwrap() error { return e.Err }
