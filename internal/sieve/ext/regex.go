package ext

import (
	"fmt"
	"regexp"
	"regexp/syntax"

	"github.com/foxcpp/go-sieve/interp"
)

func init() {
	interp.RegisterExtension("regex")
	interp.RegisterMatchType("regex", interp.MatchType{Extension: "regex", Compile: compileRegex})
}

// compileRegex compiles a :regex key (draft-ietf-sieve-regex-01 §3):
// a POSIX extended regular expression, case-folded under
// i;ascii-casemap, matched anywhere in the value, leftmost-longest as
// POSIX wants. The match variables are the whole match and its groups.
func compileRegex(key string, c interp.Comparator) (interp.CompiledMatcher, error) {
	flags := syntax.POSIX
	switch c {
	case interp.ComparatorOctet:
	case interp.ComparatorASCIICaseMap, interp.ComparatorUnicodeCaseMap:
		flags |= syntax.FoldCase
	default:
		return nil, fmt.Errorf("comparator %s cannot be used with :regex", c)
	}
	tree, err := syntax.Parse(key, flags)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(tree.String())
	if err != nil {
		return nil, err
	}
	re.Longest()
	return func(value string) (bool, []string, error) {
		m := re.FindStringSubmatch(value)
		return m != nil, m, nil
	}, nil
}
