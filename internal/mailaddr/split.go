package mailaddr

import "strings"

// Split cuts an address (local@domain, as an SMTP path or Addr gives it)
// at its last "@": the local part as written, and the domain lower-cased
// without a trailing dot (an address literal keeps its brackets). Without
// "@", the whole is the local part and the domain is "".
func Split(addr string) (local, domain string) {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr, ""
	}
	return addr[:i], strings.ToLower(strings.TrimSuffix(addr[i+1:], "."))
}

// Domain is the domain of an address as Split gives it: lower-cased,
// without a trailing dot; "" without "@".
func Domain(addr string) string {
	_, d := Split(addr)
	return d
}
