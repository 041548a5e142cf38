package app

import (
	"net/netip"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/inspect"
)

// The DNS tab shows what DNS says about the message: for each domain its MX
// records by preference, which is primary and which secondary ("MX
// secondaire"), which of them took the message in; the addresses of the
// hosts on the route; the reverse DNS of the hops' clients. It fills in as
// the answers arrive (apply), then shows the final report (finish).

type dnsTab struct {
	state     inspect.DNSState
	stateIcon *widget.Icon
	stateText *widget.Label
	progress  *widget.Activity // turns while look-ups run, in the icon's place
	box       *fyne.Container

	// what the updates told so far, in arrival order
	answers int
	dns     inspect.DNSReport
}

func newDNSTab() *dnsTab {
	t := &dnsTab{stateIcon: widget.NewIcon(theme.InfoIcon()), stateText: wrapLabel(),
		progress: widget.NewActivity(), box: container.NewVBox()}
	return t
}

func (t *dnsTab) content() fyne.CanvasObject {
	state := container.NewBorder(nil, nil, container.NewStack(t.stateIcon, t.progress), nil, t.stateText)
	return container.NewBorder(container.NewVBox(state, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(t.box))
}

// begin starts a new set of answers in state (running, or offline when DNS
// is not asked at all).
func (t *dnsTab) begin(state inspect.DNSState) {
	t.answers = 0
	t.dns = inspect.DNSReport{State: state}
	t.setState(state)
	t.redraw()
}

// apply records one answer and draws it.
func (t *dnsTab) apply(u inspect.DNSUpdate) {
	t.answers++
	switch u.Kind {
	case inspect.UpdateMX:
		t.dns.Domains = upsert(t.dns.Domains, *u.MX, func(d inspect.DomainMX) bool { return d.Domain == u.MX.Domain })
	case inspect.UpdateSecurity:
		t.dns.Domains = upsert(t.dns.Domains, *u.Security, func(d inspect.DomainMX) bool { return d.Domain == u.Security.Domain })
	case inspect.UpdateAddrs:
		t.dns.Hosts = upsert(t.dns.Hosts, *u.Host, func(h inspect.HostAddrs) bool { return h.Host == u.Host.Host })
	case inspect.UpdatePTR:
		t.dns.PTR = upsert(t.dns.PTR, *u.PTR, func(p inspect.PTRAnswer) bool { return p.IP == u.PTR.IP })
	case inspect.UpdateEntry:
		t.dns.Entry = append(t.dns.Entry, *u.Entry)
	case inspect.UpdateDone:
		t.setState(u.State)
		return
	}
	t.setState(inspect.DNSRunning)
	t.redraw()
}

// upsert replaces the element that matches, or appends v.
func upsert[T any](list []T, v T, match func(T) bool) []T {
	for i := range list {
		if match(list[i]) {
			list[i] = v
			return list
		}
	}
	return append(list, v)
}

// finish draws the final report once Resolve has returned.
func (t *dnsTab) finish(r *inspect.Report) {
	t.dns = r.DNS
	t.setState(r.DNS.State)
	t.redraw()
}

// setState shows where the look-ups are.
func (t *dnsTab) setState(s inspect.DNSState) {
	t.state = s
	running := s == inspect.DNSRunning
	setVisible(t.progress, running)
	setVisible(t.stateIcon, !running)
	if running {
		t.progress.Start()
	} else {
		t.progress.Stop()
	}
	icon := theme.InfoIcon()
	var text string
	switch s {
	case inspect.DNSRunning:
		text = lang.L("Looking up…")
		if t.answers > 0 {
			text = lang.N("Looking up… {{.Count}} answers so far", t.answers, map[string]any{"Count": t.answers})
		}
	case inspect.DNSDone:
		icon, text = theme.ConfirmIcon(), lang.L("Every look-up ended.")
	case inspect.DNSOffline:
		icon, text = theme.WarningIcon(), lang.L("Offline: no DNS answer")
	case inspect.DNSCanceled:
		text = lang.L("The look-ups were cancelled.")
	default:
		text = lang.L("DNS was not asked.")
	}
	t.stateIcon.SetResource(icon)
	t.stateText.SetText(text)
}

// redraw lays out the answers known so far.
func (t *dnsTab) redraw() {
	var blocks []fyne.CanvasObject
	for _, d := range t.dns.Domains {
		blocks = append(blocks, t.domainCard(d))
	}
	if c := t.hostsCard(); c != nil {
		blocks = append(blocks, c)
	}
	if c := t.ptrCard(); c != nil {
		blocks = append(blocks, c)
	}
	if len(blocks) == 0 && t.state != inspect.DNSRunning {
		l := wrapLabel()
		l.SetText(lang.L("With DNS, this tab shows the MX records of the envelope's domains by preference, which of them took the message in (primary or secondary MX), the addresses of the hosts on the route and the reverse DNS of their clients."))
		blocks = append(blocks, l)
	}
	t.box.Objects = []fyne.CanvasObject{sections(blocks...)}
	t.box.Refresh()
}

// domainCard shows the MX records of one domain and the verdict on it.
func (t *dnsTab) domainCard(d inspect.DomainMX) fyne.CanvasObject {
	box := container.NewVBox()
	switch {
	case d.Status != inspect.StatusOK:
		box.Add(iconRow(theme.WarningIcon(), statusText(d.Status)))
	case d.Null:
		box.Add(iconRow(theme.WarningIcon(), lang.L("Null MX (RFC 7505): this domain accepts no mail.")))
	case d.Implicit:
		box.Add(iconRow(theme.InfoIcon(), lang.L("No MX record: the domain's own address stands in (implicit MX, RFC 5321 §5.1).")))
	}
	if len(d.Records) > 0 && !d.Null {
		box.Add(t.mxRows(d))
	}
	for _, v := range t.dns.Entry {
		if v.Domain == d.Domain {
			box.Add(iconRow(rankIcon(v.Rank), verdictText(v)))
		}
	}
	if d.Security != nil { // MTA-STS, DANE, TLS-RPT (route_view.go)
		box.Add(securityView(*d.Security, d.DNSSEC))
	}
	return section(d.Domain, domainRoles(d), box)
}

// domainRoles says why the domain is asked.
func domainRoles(d inspect.DomainMX) string {
	switch {
	case d.Sender && d.Recipient:
		return lang.L("the envelope sender's and a recipient's domain")
	case d.Sender:
		return lang.L("the envelope sender's domain")
	}
	return lang.L("a recipient's domain")
}

// mxRows lists the exchangers by preference: MX 10 host, its rank, its addresses.
func (t *dnsTab) mxRows(d inspect.DomainMX) fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	best := d.Records[0].Pref
	for _, rec := range d.Records {
		best = min(best, rec.Pref)
	}
	for _, rec := range d.Records {
		key := keyLabel("MX " + strconv.Itoa(int(rec.Pref)))
		key.TextStyle.Monospace = true
		host := newSelLabel(rec.Host)
		rank := newBadge(lang.L("secondary (MX secondaire)"), markWarn)
		switch {
		case d.Implicit:
			rank = newBadge(lang.L("implicit"), markInfo)
		case rec.Pref == best:
			rank = newBadge(lang.L("primary"), markGood)
		}
		addrs := newSelLabel(t.addrsText(rec))
		form.Add(key)
		form.Add(container.NewHBox(host, container.NewCenter(rank), addrs))
	}
	return form
}

// addrsText is an exchanger's addresses, as far as they are known.
func (t *dnsTab) addrsText(rec inspect.MXRecord) string {
	addrs := rec.Addrs
	status := inspect.StatusPending
	for _, h := range t.dns.Hosts {
		if h.Host == rec.Host {
			addrs, status = h.Addrs, h.Status
		}
	}
	if len(addrs) == 0 {
		return statusText(status)
	}
	return ipList(addrs)
}

func ipList(addrs []netip.Addr) string {
	parts := make([]string, 0, len(addrs))
	for _, ip := range addrs {
		parts = append(parts, ip.String())
	}
	return strings.Join(parts, ", ")
}

// rankIcon marks the verdict: the primary is the normal case.
func rankIcon(r inspect.MXRank) fyne.Resource {
	switch r {
	case inspect.RankPrimary:
		return theme.ConfirmIcon()
	case inspect.RankSecondary:
		return theme.MailForwardIcon()
	}
	return theme.WarningIcon()
}

// hostsCard lists the A/AAAA of the hops' receiving hosts.
func (t *dnsTab) hostsCard() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	for _, h := range t.dns.Hosts {
		if len(h.Hops) == 0 {
			continue // an exchanger only: shown with its MX
		}
		value := joinNonEmpty(" · ", ipList(h.Addrs), statusText(h.Status), hopsText(lang.L("receiving host of hop"), h.Hops))
		form.Add(keyLabel(h.Host))
		form.Add(widget.NewLabel(value))
	}
	if len(form.Objects) == 0 {
		return nil
	}
	return section(lang.L("Hosts on the route"), lang.L("A and AAAA records of each hop's by host"), form)
}

// ptrCard lists the reverse DNS of the hops' clients.
func (t *dnsTab) ptrCard() fyne.CanvasObject {
	form := container.New(layout.NewFormLayout())
	for _, p := range t.dns.PTR {
		box := container.NewVBox(widget.NewLabel(joinNonEmpty(" · ", strings.Join(p.Names, ", "),
			statusText(p.Status), hopsText(lang.L("client of hop"), p.Hops))))
		if p.Status == inspect.StatusOK && p.Written != "" && !p.Matches {
			box.Add(iconRow(theme.WarningIcon(), lang.L("The receiving server wrote {{.Name}}; PTR does not give it now.",
				map[string]any{"Name": p.Written})))
		}
		key := keyLabel(p.IP.String())
		key.TextStyle.Monospace = true
		form.Add(key)
		form.Add(box)
	}
	if len(form.Objects) == 0 {
		return nil
	}
	return section(lang.L("Reverse DNS"), lang.L("PTR records of the hops' client addresses"), form)
}

// hopsText is "client of hop 1, 3".
func hopsText(label string, hops []int) string {
	parts := make([]string, 0, len(hops))
	for _, n := range hops {
		parts = append(parts, strconv.Itoa(n))
	}
	return label + " " + strings.Join(parts, ", ")
}
