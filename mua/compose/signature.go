package compose

import "strings"

// sigSeparator opens a signature block (RFC 3676 §4.3): dash, dash,
// space, alone on its line.
const sigSeparator = "-- \n"

// withSignature appends a signature block after the RFC 3676 §4.3
// separator "-- ".
func withSignature(body, sig string) string {
	return body + signatureBlock(sig)
}

// signatureBlock is what withSignature appends: nothing for an empty
// signature.
func signatureBlock(sig string) string {
	if strings.TrimSpace(sig) == "" {
		return ""
	}
	return "\n\n" + sigSeparator + strings.TrimRight(strings.ReplaceAll(sig, "\r\n", "\n"), "\n") + "\n"
}

// SwapSignature replaces the signature block of oldSig at the end of body
// by the block of newSig, when the identity of a draft changes. It leaves
// the body alone and returns false when the user edited the signature
// (the block of oldSig is not where it was put): their words win.
func SwapSignature(body, oldSig, newSig string) (string, bool) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	old := signatureBlock(oldSig)
	if !strings.HasSuffix(body, old) {
		return body, false
	}
	return strings.TrimSuffix(body, old) + signatureBlock(newSig), true
}
