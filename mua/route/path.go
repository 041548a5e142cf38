package route

import (
	"fmt"
	"strconv"
	"strings"

	"facteur/localmta"
	"facteur/mua/account"
)

// path is the way from here to the group's domain, whether the domain's
// DNS matters on it, and whether the local MTA delivers to its MX (and
// so applies MTA-STS and DANE).
func (req Request) path(g *group) (steps []Step, dns, enforced bool) {
	if a := req.Account; a != nil {
		return submissionPath(*a, g.domain), true, false
	}
	steps = []Step{{Kind: StepLocalMTA, Host: req.MTA.Hostname(), Text: "the local MTA " + req.MTA.Hostname()}}
	rt := g.route
	switch rt.Kind {
	case localmta.RouteLocal:
		return append(steps, Step{Kind: StepMailbox, Login: rt.Login, Text: "delivery into the local mailbox " + rt.Login}), false, false
	case localmta.RouteError:
		return append(steps, Step{Kind: StepBounce, Transport: rt.Transport.String(), Text: "bounced by the transport table (" + rt.Transport.String() + ")"}), false, false
	}
	if rt.By == localmta.ByTransport {
		steps = append(steps, Step{Kind: StepTransport, Transport: rt.Transport.String(), Text: "the transport table sends it to " + rt.Transport.String()})
	}
	hop := rt.Hop
	switch {
	case rt.By == localmta.ByLiteral:
		return append(steps, hostStep(hop, req.MTA.MXPort())), false, false
	case hop.Relay:
		steps = append(steps, Step{Kind: StepRelayHost, Host: hop.Host, Port: hop.Port, Text: "the relayhost (smarthost) " + hop.String()})
		return append(steps, providerStep("the relayhost", g.domain)), true, false
	case hop.NoMX:
		return append(steps, hostStep(hop, req.MTA.MXPort())), true, false
	case hop.Host != "":
		return append(steps, Step{Kind: StepMX, Domain: hop.Host, Text: "the MX hosts of " + hop.Host}), true, false
	}
	return append(steps, Step{Kind: StepMX, Domain: g.domain, Port: req.MTA.MXPort(), Text: "the MX hosts of " + g.domain + ", by preference"}), true, hop.ToDomainMX()
}

// submissionPath is the path of a remote account: its SMTP server, then
// the MX of the domain.
func submissionPath(a account.Account, domain string) []Step {
	sec := a.Outgoing.Sec()
	port := a.Outgoing.Port
	if port == 0 {
		port = account.DefaultPort("smtp", sec)
	}
	text := fmt.Sprintf("submission to %s:%d (%s) with the account %s", a.Outgoing.Host, port, securityText(sec), a.Name)
	return []Step{
		{Kind: StepSubmission, Host: a.Outgoing.Host, Port: port, Security: string(sec), Text: text},
		providerStep("the account's server", domain),
	}
}

func providerStep(who, domain string) Step {
	return Step{Kind: StepProvider, Domain: domain, Text: who + " delivers to the MX hosts of " + domain}
}

// hostStep is a host used as is, without MX look-up.
func hostStep(hop localmta.NextHop, mxPort int) Step {
	port := hop.Port
	if port == 0 {
		port = mxPort
	}
	host := strings.Trim(hop.Host, "[]")
	return Step{Kind: StepHost, Host: host, Port: port, Text: "the host [" + host + "]:" + strconv.Itoa(port) + " (no MX look-up)"}
}

func securityText(s account.Security) string {
	switch s {
	case account.SecurityStartTLS:
		return "STARTTLS"
	case account.SecurityNone:
		return "no TLS"
	}
	return "TLS"
}

// usesMX tells whether the path ends at the MX of the recipient domain
// (then a domain that takes no mail cannot be reached).
func usesMX(steps []Step, domain string) bool {
	last := steps[len(steps)-1]
	return (last.Kind == StepProvider || last.Kind == StepMX) && last.Domain == domain
}
