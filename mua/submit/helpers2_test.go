package submit

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"facteur/mua/internal/testtls"

	"github.com/emersion/go-smtp"
)

var errNoUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func bodyOf(raw []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
}

// startServerWith starts a server with the certificates of an existing
// test PKI (a server that comes back with the same certificate).
func startServerWith(t *testing.T, o serverOpts, pki *testtls.PKI) *testServer {
	t.Helper()
	o.pki = pki
	return startServer(t, o)
}
