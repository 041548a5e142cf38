package sieve

import (
	"bytes"
	"errors"
	"fmt"

	_ "facteur/internal/sieve/ext" // the extensions go-sieve lacks

	gosieve "github.com/foxcpp/go-sieve"
	"github.com/foxcpp/go-sieve/lexer"
)

// Host says where a script runs, which decides the extensions it may use.
type Host int

const (
	// Delivery is the MDA of the local MTA: reject and ereject can refuse
	// a message that is being received.
	Delivery Host = iota
	// Client is the mail client after a sync: the message is already
	// accepted, so it cannot be rejected.
	Client
)

// Extensions lists the extensions a script may require, for the README
// and `facteur filter check`.
var commonExtensions = []string{
	"fileinto", "copy", "envelope", "encoded-character", "body", "variables",
	"relational", "imap4flags", "date", "index", "vacation", "subaddress", "regex",
}

// Extensions returns the extensions available on host.
func Extensions(host Host) []string {
	exts := append([]string(nil), commonExtensions...)
	if host == Delivery {
		exts = append(exts, "reject", "ereject")
	}
	return exts
}

// MaxScriptBytes bounds a script's size.
const MaxScriptBytes = 1 << 20

// Script is a compiled script.
type Script struct {
	Name   string // for the messages: "Local.sieve"
	Source []byte
	Host   Host
	s      *gosieve.Script
}

// ErrTooBig: the script is longer than MaxScriptBytes.
var ErrTooBig = errors.New("sieve: script too big")

// Error is a script error at a position (Line and Col from 1; 0 when the
// error has no position).
type Error struct {
	Name      string
	Line, Col int
	Msg       string
	Err       error
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Name, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Compile parses and checks a script for host: syntax, commands, tests,
// tags and the extensions it requires. The error is an *Error with the
// line and column.
func Compile(name string, src []byte, host Host) (*Script, error) {
	if len(src) > MaxScriptBytes {
		return nil, &Error{Name: name, Msg: ErrTooBig.Error(), Err: ErrTooBig}
	}
	opts := gosieve.DefaultOptions()
	opts.Lexer.Filename = name
	opts.Lexer.MaxTokens = 100000
	opts.Interp.Extensions = Extensions(host)
	opts.Interp.MaxRedirects = maxRedirects
	s, err := gosieve.Load(bytes.NewReader(src), opts)
	if err != nil {
		return nil, scriptError(name, err)
	}
	return &Script{Name: name, Source: src, Host: host, s: s}, nil
}

// maxRedirects bounds the redirects of one run (RFC 5228 §4.2 lets an
// implementation limit them).
const maxRedirects = 4

// scriptError turns go-sieve's error into an *Error.
func scriptError(name string, err error) error {
	var le *lexer.Error
	if errors.As(err, &le) {
		return &Error{Name: name, Line: le.Line, Col: le.Col, Msg: le.Msg, Err: err}
	}
	return &Error{Name: name, Msg: err.Error(), Err: err}
}

// Requires reports whether the script requires an extension.
func (s *Script) Requires(ext string) bool { return s.s.RequiresExtension(ext) }
