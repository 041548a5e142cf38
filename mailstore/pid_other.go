//go:build plan9 || js || wasip1

package mailstore

// processAlive cannot tell here: every writer is taken as alive, and
// only the files older than tmpMaxAge are removed.
func processAlive(int) bool { return true }
