package main

import (
	"testing"

	"facteur/internal/dnsmx/dnstest"
)

// serveZone serves the zone lines (RFC 1035 master-file form) on
// 127.0.0.1:0 (UDP) for the test's life; other names do not exist.
func serveZone(t *testing.T, lines ...string) string {
	t.Helper()
	return dnstest.Serve(t, lines...)
}
