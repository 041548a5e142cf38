package interp

// Facteur: the registry of extensions, so that a package of its own can
// add commands, tests, match types and address parts to the interpreter
// (upstream keeps them in unexported maps). Register at init time only:
// the maps are read without locks by every Load.

import (
	"strings"

	"github.com/foxcpp/go-sieve/parser"
)

// CmdLoader builds a command from its parsed form.
type CmdLoader func(*Script, parser.Cmd) (Cmd, error)

// TestLoader builds a test from its parsed form.
type TestLoader func(*Script, parser.Test) (Test, error)

// RegisterExtension makes `require "name"` valid.
func RegisterExtension(name string) {
	supportedRequires[name] = struct{}{}
}

// RegisterCommand adds (or replaces) the command name.
func RegisterCommand(name string, load CmdLoader) {
	commands[strings.ToLower(name)] = load
}

// RegisterTest adds (or replaces) the test name.
func RegisterTest(name string, load TestLoader) {
	tests[strings.ToLower(name)] = load
}

// MatchType is a match type that an extension adds (":regex" of the
// draft-ietf-sieve-regex), usable by every test that takes one.
type MatchType struct {
	// Extension must be required for the tag to be accepted.
	Extension string
	// Compile turns a key into a matcher for the comparator; the
	// matcher's second result is the match variables ${0}..${9}.
	Compile func(key string, comparator Comparator) (CompiledMatcher, error)
}

var matchTypes = map[string]MatchType{}

// RegisterMatchType adds the tag ":name" as a match type.
func RegisterMatchType(name string, mt MatchType) {
	matchTypes[strings.ToLower(name)] = mt
}

// AddressPartFunc returns the part of an address (local@domain) that an
// address-part tag selects, and false when the address has none (the
// test then fails for that address).
type AddressPartFunc func(address string) (string, bool)

type addressPartExt struct {
	extension string
	part      AddressPartFunc
}

var addressParts = map[AddressPart]addressPartExt{}

// RegisterAddressPart adds the tag ":name" as an address part of the
// address and envelope tests (":user" and ":detail" of RFC 5233).
func RegisterAddressPart(name, extension string, part AddressPartFunc) {
	addressParts[AddressPart(strings.ToLower(name))] = addressPartExt{extension: extension, part: part}
}

// allowedExtension reports whether a script may require ext under the
// options (Options.Extensions).
func (s *Script) allowedExtension(ext string) bool {
	if s.opts == nil || s.opts.Extensions == nil {
		return true
	}
	for _, e := range s.opts.Extensions {
		if e == ext {
			return true
		}
	}
	return strings.HasPrefix(ext, "comparator-")
}

// addressPartTags adds the registered address parts to the tags of an
// address or envelope test.
func addressPartTags(spec *Spec, part *AddressPart) *Spec {
	for name := range addressParts {
		name := name
		spec.Tags[string(name)] = SpecTag{MatchBool: func() { *part = name }}
	}
	return spec
}

// checkAddressPart refuses a registered address part without its require.
func checkAddressPart(s *Script, t parser.Test, part AddressPart) error {
	if ext, ok := addressParts[part]; ok && !s.RequiresExtension(ext.extension) {
		return parser.ErrorAt(t.Position, "missing require '%s'", ext.extension)
	}
	return nil
}
