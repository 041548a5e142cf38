//go:build !windows

package account

// ownerOnly: the file's mode (0600) already keeps other users out.
func ownerOnly(string) error { return nil }
