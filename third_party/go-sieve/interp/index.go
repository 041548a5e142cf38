package interp

// Facteur: the index extension (RFC 5260 §6): ":index N" picks the Nth
// occurrence of a header field (counted from the top, or from the bottom
// with ":last") for the header, address and date tests.

import "github.com/foxcpp/go-sieve/parser"

// Index is the field occurrence a test looks at; the zero value means all.
type Index struct {
	N    int  // 1-based; 0: all occurrences
	Last bool // count from the last one
}

// Select returns the occurrences the index names.
func (ix Index) Select(values []string) []string {
	if ix.N == 0 {
		return values
	}
	if ix.N > len(values) {
		return nil
	}
	i := ix.N - 1
	if ix.Last {
		i = len(values) - ix.N
	}
	return values[i : i+1]
}

// AddIndexTags adds ":index" and ":last" to the tags of a test; Check
// them with CheckIndex once the spec is loaded.
func AddIndexTags(spec *Spec, ix *Index, last *bool) *Spec {
	if spec.Tags == nil {
		spec.Tags = map[string]SpecTag{}
	}
	spec.Tags["index"] = SpecTag{NeedsValue: true, MatchNum: func(n int) {
		ix.N = n
		if n == 0 {
			ix.N = -1 // refused by CheckIndex
		}
	}}
	spec.Tags["last"] = SpecTag{MatchBool: func() { *last = true }}
	return spec
}

// CheckIndex validates the :index and :last tags of a loaded test.
func CheckIndex(s *Script, pos parser.Test, ix *Index, last bool) error {
	if (ix.N != 0 || last) && !s.RequiresExtension("index") {
		return parser.ErrorAt(pos.Position, "missing require 'index'")
	}
	if last && ix.N == 0 {
		return parser.ErrorAt(pos.Position, ":last requires :index")
	}
	if ix.N < 0 {
		return parser.ErrorAt(pos.Position, ":index must be positive")
	}
	ix.Last = last
	return nil
}
