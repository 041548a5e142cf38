// Package ascii tells whether text is 7-bit: whether a message needs
// 8BITMIME (RFC 6152), an address SMTPUTF8 (RFC 6531), a domain name its
// A-label form (RFC 5891).
package ascii

// Is reports whether s holds only 7-bit bytes (US-ASCII, RFC 20).
func Is[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
