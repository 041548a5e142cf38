package tests

import (
	"path/filepath"
	"testing"
)

func TestExtensionsVariablesBasic(t *testing.T) {
	// Facteur: as in TestExtensionsEncodedCharacters, Pigeonhole's "string"
	// defaults to i;octet.
	RunDovecotTestWithout(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "basic.svtest"),
		[]string{"Basic assignment"})
}

func TestExtensionsVariablesErrors(t *testing.T) {
	RunDovecotTest(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "errors.svtest"))
}

func TestExtensionsVariablesLimits(t *testing.T) {
	RunDovecotTest(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "limits.svtest"))
}

func TestExtensionsVariablesMatch(t *testing.T) {
	RunDovecotTest(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "match.svtest"))
}

func TestExtensionsVariablesModifiers(t *testing.T) {
	// Facteur: as in TestExtensionsEncodedCharacters, Pigeonhole's "string"
	// defaults to i;octet.
	RunDovecotTestWithout(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "modifiers.svtest"),
		[]string{"Modifiers :lower :upperfirst", "Modifiers :upperfirst :lower", "Modifiers :upper :lowerfirst", "Modifiers :lowerfirst :upper"})
}

func TestExtensionsVariablesQuoting(t *testing.T) {
	RunDovecotTest(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "quoting.svtest"))
}

func TestExtensionsVariablesRegex(t *testing.T) {
	t.Skip("requires regex extension")
	RunDovecotTest(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "regex.svtest"))
}

func TestExtensionsVariablesString(t *testing.T) {
	RunDovecotTest(t, filepath.Join("pigeonhole", "tests", "extensions", "variables", "string.svtest"))
}
