//go:build windows

package dnsmx

import (
	"errors"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// systemServers returns the DNS servers of the network adapters that are up
// and have a gateway, as the Go standard library reads them, or those of a
// local resolver when there are none.
func systemServers() []string {
	aas, err := adapterAddresses()
	if err != nil {
		return defaultServers
	}
	var out []string
	for _, aa := range aas {
		if aa.OperStatus != windows.IfOperStatusUp || aa.FirstGatewayAddress == nil {
			continue
		}
		for d := aa.FirstDnsServerAddress; d != nil; d = d.Next {
			ip := d.Address.IP()
			if ip == nil || len(ip) == net.IPv6len && ip[0] == 0xfe && ip[1] == 0xc0 {
				continue // fec0::/10, the deprecated site-local default (RFC 3879)
			}
			out = append(out, net.JoinHostPort(ip.String(), "53"))
		}
	}
	if len(out) == 0 {
		return defaultServers
	}
	return out
}

// adapterAddresses lists the network adapters (GetAdaptersAddresses).
func adapterAddresses() ([]*windows.IpAdapterAddresses, error) {
	size := uint32(15000) // the recommended first size
	var b []byte
	for {
		b = make([]byte, size)
		const flags = windows.GAA_FLAG_INCLUDE_PREFIX | windows.GAA_FLAG_INCLUDE_GATEWAYS
		err := windows.GetAdaptersAddresses(syscall.AF_UNSPEC, flags, 0, (*windows.IpAdapterAddresses)(unsafe.Pointer(&b[0])), &size)
		if err == nil {
			break
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) || size <= uint32(len(b)) {
			return nil, err
		}
	}
	if size == 0 {
		return nil, nil
	}
	var out []*windows.IpAdapterAddresses
	for aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&b[0])); aa != nil; aa = aa.Next {
		out = append(out, aa)
	}
	return out, nil
}
