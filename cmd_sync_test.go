package main

import (
	"strings"
	"testing"
)

// TestSyncUnknownAccount: `facteur sync NAME` with a name that is no
// account fails and lists the accounts, instead of syncing nothing.
func TestSyncUnknownAccount(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		setup  []string // an `account add` run first, if any
		args   []string
		code   int
		stderr string
	}{
		{"no account at all", nil, []string{"sync", "nope"}, 1, `"nope": there is no account yet`},
		{"an unknown name", []string{"account", "add", "--name", "work", "--address", "marc@example.test",
			"--imap", "127.0.0.1:1", "--smtp", "127.0.0.1:1", "--security", "none", "--allow-plaintext", "--no-test"},
			[]string{"sync", "no-such-account"}, 1, `"no-such-account": the accounts are work`},
		{"two names", nil, []string{"sync", "work", "other"}, 2, "one account name at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				if code, out, errOut := facteur(t, dir, tt.setup...); code != 0 {
					t.Fatalf("%v: code %d, %q %q", tt.setup, code, out, errOut)
				}
			}
			code, out, errOut := facteur(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("%v: code %d, stdout %q, stderr %q; want code %d and %q", tt.args, code, out, errOut, tt.code, tt.stderr)
			}
		})
	}
}
