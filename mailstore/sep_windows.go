//go:build windows

package mailstore

import "os"

// infoSeparator starts the info part of a Maildir file name. ':' is not
// allowed in Windows file names; "!2,FLAGS" is what other Maildir tools use
// there. Both separators are read on every system.
const infoSeparator = "!"

// renameFile renames a message file (os.Rename: MoveFileEx, replacing).
func renameFile(oldPath, newPath string) error { return os.Rename(oldPath, newPath) }
