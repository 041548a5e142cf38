// Package layers holds the test of Facteur's import rules (DESIGN.md,
// the README's Architecture): imports go one way, main and app -> mua ->
// localmta -> mailstore -> internal, test files included; a part of a
// package does not import the package it is part of. The package has no
// code: its test reads the import lines of every Go file of the module.
package layers
