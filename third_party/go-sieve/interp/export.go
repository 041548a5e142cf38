package interp

// Facteur: what a package of its own needs to write an extension: the
// comparator and match-type handling of the tests, variable expansion and
// the flag lists (upstream keeps them unexported).

import (
	"bytes"
	"io"
)

// MatcherTest is the part of a test that compares values with keys under
// a comparator and a match type (":is", ":contains", ":matches",
// ":value", ":count" and the registered ones). Embed it in a test, add its
// tags with AddSpecTags, then call SetKey once the spec is loaded.
type MatcherTest struct {
	matcherTest
}

// NewMatcherTest returns a MatcherTest with the defaults of RFC 5228
// (":is", "i;ascii-casemap").
func NewMatcherTest() MatcherTest { return MatcherTest{newMatcherTest()} }

// AddSpecTags adds the comparator and match-type tags to spec.
func (t *MatcherTest) AddSpecTags(s *Spec) *Spec { return t.addSpecTags(s) }

// SetKey sets the key list and checks the tags.
func (t *MatcherTest) SetKey(s *Script, k []string) error { return t.setKey(s, k) }

// TryMatch compares value with the keys; a match sets the match variables
// and is recorded for the trace.
func (t *MatcherTest) TryMatch(d *RuntimeData, value string) (bool, error) {
	return t.tryMatch(d, value)
}

// DisableMatchVariables keeps a :matches of this test from setting the
// match variables (the body test, RFC 5173 §6).
func (t *MatcherTest) DisableMatchVariables() { t.noMatchVars = true }

// IsCount reports whether the match type is ":count".
func (t *MatcherTest) IsCount() bool { return t.isCount() }

// CountMatches compares a count with the keys (":count").
func (t *MatcherTest) CountMatches(d *RuntimeData, n uint64) bool { return t.countMatches(d, n) }

// Comparator returns the comparator of the test.
func (t *MatcherTest) Comparator() Comparator { return t.comparator }

// MatchType returns the match type of the test.
func (t *MatcherTest) MatchType() Match { return t.match }

// ExpandVars substitutes the variables of s (RFC 5229) when the script
// requires "variables".
func ExpandVars(d *RuntimeData, s string) string { return expandVars(d, s) }

// ExpandVarsList is ExpandVars on each string.
func ExpandVarsList(d *RuntimeData, list []string) []string { return expandVarsList(d, list) }

// UsedVarsAreValid reports whether every variable that s names can be
// read.
func UsedVarsAreValid(s *Script, str string) bool { return usedVarsAreValid(s, str) }

// CanonicalFlags splits space-separated flags, removes duplicates and
// those in remove, and sorts them (RFC 5232 §3).
func CanonicalFlags(src []string, remove []string, aliases map[string]string) []string {
	return canonicalFlags(src, remove, aliases)
}

// DecodeEncodedChars decodes "${hex:..}" and "${unicode:..}" (RFC 5228
// §2.4.2.4).
func DecodeEncodedChars(s string) (string, error) { return decodeEncodedChars(s) }

// MessageReader is a Message whose whole text (header and body) can be
// read, which the body extension needs.
type MessageReader interface {
	ReadMessage() (io.Reader, error)
}

// ReadMessage returns the message that test_set "message" gave, whole.
func (m MessageStatic) ReadMessage() (io.Reader, error) {
	return bytes.NewReader(m.Raw), nil
}
