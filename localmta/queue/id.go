package queue

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789BCDFGHJKLMNPQRSTVWXYZ_").WithPadding(base32.NoPadding)

// NewID returns a new queue identifier: time-ordered, 16 characters of
// [0-9A-Z_] without vowels, safe as a file name on every system.
func NewID() string {
	var b [10]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMicro()))
	rand.Read(b[8:])
	return idEncoding.EncodeToString(b[2:])
}

// ValidID reports whether s has the form of a queue identifier, so that a
// name from the command line can never escape the queue directory.
func ValidID(s string) bool {
	if len(s) < 8 || len(s) > 32 {
		return false
	}
	return strings.Trim(s, "0123456789BCDFGHJKLMNPQRSTVWXYZ_") == ""
}
