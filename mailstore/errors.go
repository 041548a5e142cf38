package mailstore

import (
	"errors"
	"fmt"
)

// Errors of the store, to be tested with errors.Is.
var (
	// ErrNotFound: no message, or no folder, of that id or name.
	ErrNotFound = errors.New("mailstore: not found")
	// ErrBadQuery: a search query that cannot be understood (a *QueryError).
	ErrBadQuery = errors.New("mailstore: bad search query")
	// ErrFolderExists: a folder of that name (or differing only by case, which
	// case-insensitive file systems could not tell apart) already exists.
	ErrFolderExists = errors.New("mailstore: folder exists")
	// ErrBadFolder: an empty or malformed account or folder name.
	ErrBadFolder = errors.New("mailstore: bad folder name")
	// ErrUnknownFormat: Import was given something that is neither an mbox
	// file, a Maildir directory nor a message file.
	ErrUnknownFormat = errors.New("mailstore: unknown import format")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("mailstore: store closed")
	// ErrCorruptIndex: the index could not be read; Open rebuilds it.
	ErrCorruptIndex = errors.New("mailstore: corrupt index")
	// ErrExist: AddBatch was given an AddOptions.Key that the folder
	// already holds: the message is there already.
	ErrExist = errors.New("mailstore: a message of that key exists")
	// ErrIndexNotReady: OpenReadOnly found no index, or one that Open
	// must bring up to date first.
	ErrIndexNotReady = errors.New("mailstore: the index must be created or updated first")
	// ErrReadOnly: a change asked of a store opened with OpenReadOnly.
	ErrReadOnly = errors.New("mailstore: store opened read-only")
)

// QueryError tells why a search query was refused. It matches ErrBadQuery.
type QueryError struct {
	Query  string
	Pos    int // byte offset in Query
	Reason string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("mailstore: bad search query at %d: %s", e.Pos, e.Reason)
}

// Is makes errors.Is(err, ErrBadQuery) true.
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }

// FolderError tells which folder name was refused or not found.
type FolderError struct {
	Ref FolderRef
	Err error // ErrBadFolder, ErrNotFound or ErrFolderExists
}

func (e *FolderError) Error() string { return fmt.Sprintf("%v: %q", e.Err, e.Ref.String()) }

func (e *FolderError) Unwrap() error { return e.Err }

// MessageError tells which message an operation failed on.
type MessageError struct {
	ID  int64
	Op  string
	Err error
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("mailstore: %s message %d: %v", e.Op, e.ID, e.Err)
}

func (e *MessageError) Unwrap() error { return e.Err }
