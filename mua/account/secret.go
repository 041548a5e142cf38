package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"facteur/internal/atomicfile"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of Facteur's entries in the OS keyring.
const KeyringService = "facteur"

// CredentialsFile is the name, in the profile, of the fall-back password
// file (mode 0600).
const CredentialsFile = "credentials.json"

// Backend chooses where passwords are kept.
type Backend int

// The credential backends.
const (
	// BackendAuto uses the OS keyring, and the file when the keyring
	// does not answer (no D-Bus Secret Service, headless CI...).
	BackendAuto Backend = iota
	// BackendKeyring uses the OS keyring only.
	BackendKeyring
	// BackendFile uses the profile's file only (tests, portable installs).
	BackendFile
)

// Warning tells that passwords are kept in a plain file, protected only by
// its permissions. The GUI and the CLI show Text.
type Warning struct {
	Path   string
	Reason error // why the keyring was not used; nil when BackendFile was chosen
	Text   string
}

func (w *Warning) String() string { return w.Text }

// Credentials stores passwords by key (see PasswordKey). Safe for
// concurrent use.
type Credentials struct {
	file    string
	backend Backend
	mu      sync.Mutex
	reason  error // last keyring failure
}

// OpenCredentials returns the password store of the profile directory dir.
func OpenCredentials(dir string, backend Backend) *Credentials {
	return &Credentials{file: filepath.Join(dir, CredentialsFile), backend: backend}
}

// PasswordKey is the key of an account's password for its incoming server
// (smtp false) or its outgoing server (smtp true).
func PasswordKey(account string, smtp bool) string {
	if smtp {
		return account + "#smtp"
	}
	return account
}

// Set stores a password. With BackendAuto a keyring failure moves it to the
// file; Warning then tells.
func (c *Credentials) Set(key, password string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backend != BackendFile {
		err := keyringSet(key, password)
		if err == nil {
			return c.fileUpdate(key, nil) // an older copy in the file goes
		}
		if c.backend == BackendKeyring {
			return &KeyringError{Op: "set", Err: err}
		}
		c.reason = err
	}
	return c.fileUpdate(key, &password)
}

// Get returns a password, or an error matching ErrNotFound.
func (c *Credentials) Get(key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backend != BackendFile {
		pw, err := keyringGet(key)
		if err == nil {
			return pw, nil
		}
		if c.backend == BackendKeyring {
			return "", keyringErr("get", err)
		}
		if !errors.Is(err, keyring.ErrNotFound) {
			c.reason = err
		}
	}
	m, err := c.fileRead()
	if err != nil {
		return "", err
	}
	pw, ok := m[key]
	if !ok {
		return "", fmt.Errorf("%w: password for %q", ErrNotFound, key)
	}
	return pw, nil
}

// Delete removes a password from the keyring and the file.
func (c *Credentials) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backend != BackendFile {
		err := keyringDelete(key)
		if err != nil && !errors.Is(err, keyring.ErrNotFound) && c.backend == BackendKeyring {
			return &KeyringError{Op: "delete", Err: err}
		}
	}
	return c.fileUpdate(key, nil)
}

// Warning returns a non-nil *Warning when passwords are (or would be) kept
// in the plain file.
func (c *Credentials) Warning() *Warning {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, _ := c.fileRead()
	if c.backend == BackendKeyring || (c.backend == BackendAuto && len(m) == 0 && c.reason == nil) {
		return nil
	}
	where := "No system keyring is available"
	if c.reason != nil {
		where = "The system keyring failed (" + c.reason.Error() + ")"
	}
	return &Warning{Path: c.file, Reason: c.reason, Text: where + ": passwords are stored in " +
		c.file + ", readable only by your user account but not encrypted."}
}

func (c *Credentials) fileRead() (map[string]string, error) {
	m := map[string]string{}
	data, err := os.ReadFile(c.file)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &ConfigError{Path: c.file, Err: err}
	}
	return m, nil
}

// fileUpdate sets key (password non-nil) or removes it.
func (c *Credentials) fileUpdate(key string, password *string) error {
	m, err := c.fileRead()
	if err != nil {
		return err
	}
	_, had := m[key]
	if password == nil && !had {
		return nil
	}
	if password == nil {
		delete(m, key)
	} else {
		m[key] = *password
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// 0600: on Windows, a protected DACL for the owner alone
	return atomicfile.WriteFile(c.file, data, 0o600)
}

// KeyringError is a failure of the OS keyring.
type KeyringError struct {
	Op  string
	Err error
}

func (e *KeyringError) Error() string { return "account: keyring " + e.Op + ": " + e.Err.Error() }
func (e *KeyringError) Unwrap() error { return e.Err }

func keyringErr(op string, err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return &KeyringError{Op: op, Err: err}
}
