// Package clientlimit holds the limits that the servers of the local MTA
// keep per client, as Postfix's anvil(8) does for smtpd: failed logins
// (SMTP AUTH, RFC 4954 §14; POP3, RFC 1939 §13, RFC 5034 §6) and, in
// conns.go, concurrent connections.
//
// Logins: every failed login is answered after a delay (1 s); a session
// ends after a few failures (3); and the failures of one client are
// counted across its sessions in a bucket that drains with time (one
// failure a minute), so that a client with too many recent failures (10)
// is refused at once, its password not even checked, until the bucket
// drains. The delay and the clock are injectable for tests.
//
// A client is an IPv4 address, or the /64 network of an IPv6 address
// (one host often holds a whole /64).
package clientlimit

import "net/netip"

// Key returns the client that ip counts for: the address itself for
// IPv4, its /64 network for IPv6.
func Key(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := ip.BitLen()
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}
