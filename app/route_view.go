package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/dnsmx"
	"facteur/internal/mtasts"
	"facteur/localmta"
	"facteur/mua/route"
)

// The delivery preview as the window draws it (mua/route's report): the
// domains that cannot take the message first, then for each recipient
// domain the path from here and what DNS says (MX, addresses, MTA-STS,
// DANE, TLS-RPT). securityView, the MTA-STS/DANE/TLS-RPT part, is also
// the inspector's DNS tab's.

// routeReportView draws a whole report.
func routeReportView(r *route.Report) fyne.CanvasObject {
	var blocks []fyne.CanvasObject
	if w := routeWarnings(r); len(w) > 0 {
		box := container.NewVBox()
		for _, text := range w {
			box.Add(iconRow(theme.ErrorIcon(), text))
		}
		blocks = append(blocks, section(lang.L("Cannot be delivered"), lang.L("before you send"), box))
	}
	for _, d := range r.Domains {
		blocks = append(blocks, routeDomainView(d))
	}
	note := captionLabel()
	note.SetText(dnssecNote(r.DNSSEC))
	blocks = append(blocks, note)
	return sections(blocks...)
}

// routeWarnings are the sentences that call out the recipients the
// message cannot reach.
func routeWarnings(r *route.Report) []string {
	var out []string
	for _, bad := range r.Invalid {
		out = append(out, lang.L("“{{.Text}}” is not an address.", map[string]any{"Text": bad.Text}))
	}
	for _, d := range r.Flagged() {
		out = append(out, flagText(d))
	}
	return out
}

// flagText says why a domain cannot take the message.
func flagText(d route.Domain) string {
	args := map[string]any{"Domain": d.Domain}
	switch d.Flag {
	case route.FlagNullMX:
		return lang.L("{{.Domain}} accepts no mail (null MX, RFC 7505).", args)
	case route.FlagNoMailHost:
		return lang.L("{{.Domain}} has no MX record and no address: no server takes its mail.", args)
	case route.FlagNoDomain:
		return lang.L("{{.Domain}} does not exist.", args)
	case route.FlagRejected:
		return lang.L("The local MTA's transport table bounces mail for {{.Domain}}.", args)
	case route.FlagNoAcceptedMX:
		return lang.L("No MX host of {{.Domain}} meets its MTA-STS or DANE policy: the message would stay in the queue.", args)
	case route.FlagDNSSECBogus:
		return lang.L("The DNS answers for {{.Domain}} fail DNSSEC validation: the message would stay in the queue until the domain's owner mends them.", args)
	}
	return d.Warning
}

// routeDomainView is one recipient domain: its path, its exchangers,
// its security facts.
func routeDomainView(d route.Domain) fyne.CanvasObject {
	box := container.NewVBox()
	for i, s := range d.Path {
		l := wrapLabel()
		l.SetText(strconv.Itoa(i+1) + ". " + stepText(s))
		box.Add(l)
	}
	if d.DNS {
		box.Add(mxView(d))
		box.Add(securityView(d.Security, d.MX.DNSSEC))
	}
	return section(d.Domain, strings.Join(d.Recipients, ", "), box)
}

// stepText says one step of the path in the window's language.
func stepText(s route.Step) string {
	args := map[string]any{"Host": s.Host, "Port": s.Port, "Domain": s.Domain, "Login": s.Login, "Transport": s.Transport}
	switch s.Kind {
	case route.StepSubmission:
		return lang.L("Submission to {{.Host}}:{{.Port}}, the sending account's server", args)
	case route.StepProvider:
		return lang.L("then that server delivers to the MX hosts of {{.Domain}}", args)
	case route.StepLocalMTA:
		return lang.L("The local MTA {{.Host}}", args)
	case route.StepTransport:
		return lang.L("its transport table sends it to {{.Transport}}", args)
	case route.StepRelayHost:
		return lang.L("its relayhost (smarthost) {{.Host}}", args)
	case route.StepHost:
		return lang.L("the host [{{.Host}}]:{{.Port}}, without MX look-up", args)
	case route.StepMX:
		return lang.L("the MX hosts of {{.Domain}}, by preference", args)
	case route.StepMailbox:
		return lang.L("delivery into the local mailbox {{.Login}}", args)
	case route.StepBounce:
		return lang.L("bounced by the transport table ({{.Transport}})", args)
	}
	return s.Text
}

// mxView lists the exchangers by preference, with their addresses, their
// match with the MTA-STS policy and what the local MTA will demand.
func mxView(d route.Domain) fyne.CanvasObject {
	switch {
	case d.MX.Answer.Status != route.StatusOK:
		return iconRow(theme.WarningIcon(), lang.L("MX: {{.Status}}", map[string]any{"Status": routeStatusText(d.MX.Answer.Status)}))
	case d.MX.Null:
		return iconRow(theme.WarningIcon(), lang.L("Null MX (RFC 7505): this domain accepts no mail."))
	}
	form := container.New(layout.NewFormLayout())
	for _, h := range d.Hosts {
		key := keyLabel("MX " + strconv.Itoa(int(h.Pref)))
		key.TextStyle.Monospace = true
		form.Add(key)
		form.Add(hostView(d, h))
	}
	if d.MX.Implicit {
		return container.NewVBox(iconRow(theme.InfoIcon(), lang.L("No MX record: the domain's own address stands in (implicit MX, RFC 5321 §5.1).")), form)
	}
	return form
}

// hostView is one exchanger: name, addresses, badges, the TLS plan.
func hostView(d route.Domain, h route.MXHost) fyne.CanvasObject {
	host := newSelLabel(h.Host)
	addrs := widget.NewLabel(ipList(h.Addrs))
	if h.AddrsAnswer.Status != route.StatusOK {
		addrs.SetText(routeStatusText(h.AddrsAnswer.Status))
	}
	line := container.NewHBox(host, addrs)
	if h.AddrsDNSSEC.Secure {
		line.Add(container.NewCenter(newBadge(lang.L("DNSSEC"), markGood)))
	}
	if h.STSMatch != nil && *h.STSMatch {
		line.Add(container.NewCenter(newBadge(lang.L("matches MTA-STS"), markGood)))
	} else if h.STSMatch != nil {
		line.Add(container.NewCenter(newBadge(lang.L("not in the MTA-STS policy"), markBad)))
	}
	box := tightVBox(line)
	if h.TLS != nil {
		l := captionLabel()
		l.SetText(tlsPlanText(h))
		box.Add(l)
	}
	return box
}

// tlsPlanText says what the local MTA will demand of a host.
func tlsPlanText(h route.MXHost) string {
	p := h.TLS
	args := map[string]any{"Host": h.Host}
	switch {
	case p.Skip && p.Source == "DANE":
		return lang.L("The local MTA will not use it: its TLSA look-up failed (DANE).", args)
	case p.Skip:
		return lang.L("The local MTA will not use it: it matches none of the policy's mx patterns (MTA-STS enforce).", args)
	case p.Verify == localmta.VerifyDANE:
		return lang.L("The local MTA will require TLS and a certificate that matches its TLSA records (DANE).", args)
	case p.Require && p.Source == "DANE":
		return lang.L("The local MTA will require TLS (DANE, no usable TLSA record to check the certificate with).", args)
	case p.Verify == localmta.VerifyPKIX && p.Testing:
		return lang.L("The local MTA will check TLS and the certificate of {{.Host}}, and only log a failure (MTA-STS testing).", args)
	case p.Verify == localmta.VerifyPKIX:
		return lang.L("The local MTA will require TLS with a certificate valid for {{.Host}} (MTA-STS enforce).", args)
	case p.Testing:
		return lang.L("The local MTA will use it although it matches no mx pattern, and log it (MTA-STS testing).", args)
	}
	return lang.L("The local MTA will use TLS if offered, without checking the certificate.", args)
}

// securityView shows a domain's MTA-STS, DANE and TLS-RPT, and whether
// its MX answer came with the DNSSEC AD bit.
func securityView(s route.Security, mx dnsmx.DNSSEC) fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	row := func(key string, value fyne.CanvasObject) {
		form.Add(keyLabel(key))
		form.Add(value)
	}
	row(lang.L("MTA-STS"), stsView(s.MTASTS))
	for _, h := range s.DANE {
		k := keyLabel(h.Name)
		k.TextStyle.Monospace = true
		form.Add(k)
		form.Add(tlsaView(h))
	}
	row(lang.L("TLS-RPT"), widget.NewLabel(tlsrptText(s.TLSRPT)))
	row(lang.L("DNSSEC"), widget.NewLabel(adText(mx)))
	return form
}

// stsView is the MTA-STS policy in force, or why there is none.
func stsView(s route.STSFacts) fyne.CanvasObject {
	l := wrapLabel()
	p := s.Policy
	if p == nil {
		l.SetText(lang.L("none"))
		if s.Answer.Status != route.StatusOK && s.Answer.Status != route.StatusNotFound {
			l.SetText(routeStatusText(s.Answer.Status))
		}
		if s.FetchError != "" {
			l.SetText(lang.L("record id {{.ID}}, but the policy could not be fetched: {{.Error}}", map[string]any{"ID": s.Record.ID, "Error": s.FetchError}))
		}
		return l
	}
	l.SetText(lang.L("mode {{.Mode}}, mx {{.MX}}, kept {{.Days}} day(s)", map[string]any{
		"Mode": string(p.Mode), "MX": strings.Join(p.MX, ", "), "Days": p.MaxAgeSeconds / 86400}))
	level := markInfo
	if p.Mode == mtasts.ModeEnforce {
		level = markGood
	}
	return container.NewBorder(nil, nil, container.NewCenter(newBadge(string(p.Mode), level)), nil, l)
}

// tlsaView is a host's TLSA records with their DNSSEC status.
func tlsaView(h route.HostTLSA) fyne.CanvasObject {
	if h.Answer.Status != route.StatusOK {
		if h.Answer.Status == route.StatusNotFound {
			return widget.NewLabel(lang.L("no TLSA record"))
		}
		return widget.NewLabel(routeStatusText(h.Answer.Status))
	}
	parts := make([]string, len(h.Records))
	for i, r := range h.Records {
		parts[i] = r.UsageName() + " " + r.String()
	}
	l := wrapLabel()
	l.TextStyle.Monospace = true
	l.SetText(strings.Join(parts, "\n"))
	b := newBadge(lang.L("no AD: not used"), markWarn)
	if h.DNSSEC.Secure {
		b = newBadge(lang.L("DNSSEC AD"), markGood)
	}
	return container.NewBorder(nil, nil, container.NewCenter(b), nil, l)
}

func tlsrptText(r route.TLSRPTFacts) string {
	if r.Record == nil {
		return lang.L("none")
	}
	return lang.L("reports to {{.RUA}}", map[string]any{"RUA": strings.Join(r.Record.RUA, ", ")})
}

// adText says what the resolver said of the MX answer.
func adText(s dnsmx.DNSSEC) string {
	switch {
	case s.Secure:
		return lang.L("the MX answer has the AD bit (authenticated)")
	case s.AD:
		return lang.L("the MX answer has the AD bit, from a resolver that is not trusted")
	}
	return lang.L("the MX answer is not authenticated (no AD bit)")
}

// dnssecNote says how far the AD bit is believed.
func dnssecNote(t dnsmx.ADTrust) string {
	switch t {
	case dnsmx.ADLoopback:
		return lang.L("DNSSEC: the AD bit comes from a resolver on this machine and is trusted; Facteur does not validate DNSSEC itself.")
	case dnsmx.ADConfigured:
		return lang.L("DNSSEC: the AD bit comes from the DNS server you configured and is trusted; Facteur does not validate DNSSEC itself.")
	}
	return lang.L("DNSSEC: the AD bit is not trusted, the system's resolver is not on this machine (Facteur does not validate DNSSEC itself).")
}

// routeStatusText is the outcome of a look-up that did not answer.
func routeStatusText(s route.Status) string {
	switch s {
	case route.StatusNotFound:
		return lang.L("no such record")
	case route.StatusInvalid:
		return lang.L("invalid record")
	case route.StatusTemporary:
		return lang.L("temporary failure (SERVFAIL or timeout)")
	case route.StatusOffline:
		return lang.L("offline")
	}
	return lang.L("error")
}
