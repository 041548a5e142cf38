//go:build !windows

package dnsmx

import (
	"net"

	"github.com/miekg/dns"
)

// resolvConf lists the system's DNS servers on Unix systems, macOS included.
const resolvConf = "/etc/resolv.conf"

// systemServers returns the servers of /etc/resolv.conf as "host:port", or
// those of a local resolver when the file is missing or names none, as the
// Go standard library does.
func systemServers() []string {
	cc, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil || len(cc.Servers) == 0 {
		return defaultServers
	}
	out := make([]string, 0, len(cc.Servers))
	for _, s := range cc.Servers {
		out = append(out, net.JoinHostPort(s, cc.Port))
	}
	return out
}
