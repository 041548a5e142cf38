//go:build !windows

package mailstore

import "os"

// infoSeparator starts the info part of a Maildir file name (":2,FLAGS").
const infoSeparator = ":"

// syncDir makes the entries of a directory durable (after renames into it).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
