//go:build windows

package queue

// syncDir does nothing: Windows cannot open a directory for FlushFileBuffers
// through os.Open, and NTFS journals renames itself.
func syncDir(dir string) error { return nil }
