package app

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/inspect"
)

// The Route tab draws the path of the message as the course's figure
// "Itinéraire d'un message" does: the sender's MUA, each MTA that relayed it,
// the MTA whose MDA put it into the mailbox, then the mailbox. Nodes are
// hosts, edges are Received fields (hops), with their protocol, TLS and the
// delay since the previous hop as a bar.

// markLevel colours a mark: what it tells the reader.
type markLevel uint8

const (
	markInfo markLevel = iota // a plain fact
	markGood                  // something that went well (TLS, the recipient's MX)
	markWarn                  // worth a look (no TLS, a private address)
	markBad                   // something wrong (clock skew, an unreadable field)
)

// routeMark is a highlighted remark on a node or an edge.
type routeMark struct {
	text  string
	level markLevel
}

// routeNode is a host on the path.
type routeNode struct {
	name    string // the host, as the Received fields name it
	detail  string // its IP, reverse DNS name, software
	role    string // in the course's words
	when    string // when it wrote or received the message
	marks   []routeMark
	mailbox bool // the final node: the recipient's mailbox
}

// routeEdge is one hop between two nodes, or the hand-off into the mailbox.
type routeEdge struct {
	label  string  // "hop 2 · ESMTPS · TLSv1.3 …"
	detail string  // id, for, authenticated identity
	delay  string  // "+17 s", "+27 s in the outbox"; "" without a bar
	secs   float64 // the delay in seconds, negative for clock skew
	outbox bool    // the delay is the time in the sender's outbox
	marks  []routeMark
	raw    string // the whole field, when it could not be read
}

// routeModel is what the diagram draws: edges[i] joins nodes[i] and nodes[i+1].
type routeModel struct {
	nodes []routeNode
	edges []routeEdge
}

// buildRouteModel turns the hops into nodes and edges. hops is the UI's own
// copy, taken before Resolve started.
func buildRouteModel(rt inspect.Route, hops []inspect.RouteHop, rcpts []string) routeModel {
	var m routeModel
	if len(hops) == 0 {
		return m
	}
	m.nodes = append(m.nodes, senderNode(rt, hops[0]))
	for i := range hops {
		m.edges = append(m.edges, hopEdge(rt, hops, i))
		m.nodes = append(m.nodes, receiverNode(rt, hops, i))
	}
	m.edges = append(m.edges, routeEdge{label: lang.L("the MDA puts the message into the mailbox")})
	m.nodes = append(m.nodes, routeNode{name: lang.L("Mailbox"), detail: strings.Join(rcpts, ", "),
		role: lang.L("the recipient reads it with POP or IMAP"), mailbox: true})
	return m
}

// senderNode is the client of the first hop: the sender's MUA when the first
// hop is a submission.
func senderNode(rt inspect.Route, first inspect.RouteHop) routeNode {
	ip := ""
	if first.IP.IsValid() {
		ip = first.IP.String()
	}
	n := routeNode{name: firstNonEmpty(first.HELO, first.From, first.RDNS, ip)}
	n.detail = clientDetail(first, n.name)
	switch first.Role {
	case inspect.RoleSubmission:
		n.role = lang.L("MUA: submission")
		n.name = firstNonEmpty(n.name, lang.L("the sender's MUA"))
	case inspect.RoleUnknown:
		n.role = lang.L("unknown")
	default:
		n.role = lang.L("MTA: relay")
	}
	n.name = firstNonEmpty(n.name, "?")
	if !rt.Written.IsZero() {
		n.when = rt.Written.Format(time.TimeOnly)
	}
	n.marks = clientMarks(first.Flags)
	return n
}

// receiverNode is the by host of hop i, which sent hop i+1 if any.
func receiverNode(rt inspect.Route, hops []inspect.RouteHop, i int) routeNode {
	h := hops[i]
	n := routeNode{name: h.By}
	var next *inspect.RouteHop
	if i+1 < len(hops) {
		next = &hops[i+1]
		if n.name == "" {
			n.name = firstNonEmpty(next.HELO, next.From)
		}
	}
	n.name = firstNonEmpty(n.name, "?")
	n.role = receiverRole(h, next)
	var parts []string
	if next != nil {
		parts = append(parts, clientDetail(*next, n.name))
		n.marks = clientMarks(next.Flags)
	} else if h.ByIP.IsValid() {
		parts = append(parts, h.ByIP.String())
	}
	n.detail = joinNonEmpty(" · ", append(parts, h.Software)...)
	n.when = hopTime(rt, hops, i)
	if h.Flags.Has(inspect.FlagRecipientMX) {
		n.marks = append(n.marks, routeMark{lang.L("recipient's MX"), markGood})
	}
	return n
}

// receiverRole names the part a receiving host plays, in the course's words.
func receiverRole(h inspect.RouteHop, next *inspect.RouteHop) string {
	switch {
	case next == nil && h.Role == inspect.RoleDelivery:
		return lang.L("MTA and MDA: delivery into the mailbox")
	case next == nil:
		return lang.L("MTA: the last one recorded")
	case next.Role == inspect.RoleInternal:
		return lang.L("MTA: hand-off inside the host")
	}
	return lang.L("MTA: relay")
}

// clientDetail is the client's IP and reverse DNS name as the receiver wrote
// them, without repeating the node's name.
func clientDetail(h inspect.RouteHop, name string) string {
	var parts []string
	if h.IP.IsValid() && h.IP.String() != name {
		parts = append(parts, h.IP.String())
	}
	if h.RDNS != "" && !strings.EqualFold(h.RDNS, name) {
		parts = append(parts, h.RDNS)
	}
	if h.Ident != "" {
		parts = append(parts, h.Ident+"@")
	}
	return strings.Join(parts, " · ")
}

// clientMarks are the remarks on a hop's client address.
func clientMarks(f inspect.Flags) []routeMark {
	var marks []routeMark
	if f.Has(inspect.FlagPrivateIP) {
		marks = append(marks, routeMark{lang.L("private IP"), markWarn})
	}
	if f.Has(inspect.FlagLoopback) {
		marks = append(marks, routeMark{lang.L("loopback"), markWarn})
	}
	return marks
}

// hopTime is the time of hop i in the zone of the message's Date (servers
// write their own zones: shown as written, 10:12:01 +0100 would follow
// 01:12:00 -0800), with the day when it is not the Date's.
func hopTime(rt inspect.Route, hops []inspect.RouteHop, i int) string {
	d := hops[i].Date
	if d.IsZero() {
		return ""
	}
	ref := rt.Written
	if ref.IsZero() {
		ref = firstDate(hops)
	}
	d = d.In(ref.Location())
	if ref.Format(time.DateOnly) == d.Format(time.DateOnly) {
		return d.Format(time.TimeOnly)
	}
	return d.Format("01-02 15:04:05")
}

// firstDate is the date of the first hop that has one.
func firstDate(hops []inspect.RouteHop) time.Time {
	for _, h := range hops {
		if !h.Date.IsZero() {
			return h.Date
		}
	}
	return time.Time{}
}

// hopEdge is hop i: protocol, TLS, delay and flags.
func hopEdge(rt inspect.Route, hops []inspect.RouteHop, i int) routeEdge {
	h := hops[i]
	e := routeEdge{detail: hopDetail(h)}
	label := []string{lang.L("hop {{.N}}", map[string]any{"N": h.Index}), firstNonEmpty(h.With, string(h.Protocol))}
	if h.TLS != nil {
		label = append(label, h.TLS.String())
	}
	e.label = joinNonEmpty(" · ", label...)
	switch {
	case i == 0 && rt.Outbox != nil:
		e.delay = lang.L("{{.Delay}} in the outbox", map[string]any{"Delay": rt.Outbox.String()})
		e.secs, e.outbox = rt.Outbox.Duration().Seconds(), true
	case h.Delay != nil:
		e.delay, e.secs = h.Delay.String(), h.Delay.Duration().Seconds()
	}
	e.marks = edgeMarks(h)
	if h.Unparsed {
		e.raw = h.Raw
	}
	return e
}

// hopDetail lists the id, for and authentication clauses of a hop.
func hopDetail(h inspect.RouteHop) string {
	var parts []string
	if h.ID != "" {
		parts = append(parts, "id "+h.ID)
	}
	if len(h.For) > 0 {
		parts = append(parts, "for "+strings.Join(h.For, ", "))
	}
	if h.Auth != "" {
		parts = append(parts, lang.L("authenticated as {{.Who}}", map[string]any{"Who": h.Auth}))
	}
	if h.Via != "" {
		parts = append(parts, "via "+h.Via)
	}
	return strings.Join(parts, " · ")
}

// edgeMarks are the remarks on a hop itself.
func edgeMarks(h inspect.RouteHop) []routeMark {
	var marks []routeMark
	if h.Unparsed {
		marks = append(marks, routeMark{lang.L("unreadable: shown as written"), markBad})
	}
	if h.TLS != nil || h.Protocol.Secure() {
		marks = append(marks, routeMark{"TLS", markGood})
	}
	if h.Flags.Has(inspect.FlagNoTLS) {
		marks = append(marks, routeMark{lang.L("no TLS"), markWarn})
	}
	if h.Authenticated {
		marks = append(marks, routeMark{lang.L("authenticated"), markGood})
	}
	if h.Flags.Has(inspect.FlagClockSkew) {
		marks = append(marks, routeMark{lang.L("clock skew"), markBad})
	}
	if h.Flags.Has(inspect.FlagBadDate) && !h.Unparsed {
		marks = append(marks, routeMark{lang.L("no readable date"), markBad})
	}
	return marks
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func joinNonEmpty(sep string, s ...string) string {
	return strings.Join(slices.DeleteFunc(s, func(x string) bool { return x == "" }), sep)
}

// routeTab is the Route tab: a summary line over the diagram.
type routeTab struct {
	summary *widget.Label
	empty   *widget.Label
	diagram *routeDiagram
	scroll  *container.Scroll
}

func newRouteTab() *routeTab {
	t := &routeTab{summary: widget.NewLabel(""), empty: widget.NewLabel(""), diagram: newRouteDiagram()}
	t.summary.Wrapping = fyne.TextWrapWord
	t.empty.Wrapping = fyne.TextWrapWord
	t.scroll = container.NewScroll(t.diagram)
	return t
}

func (t *routeTab) content() fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(t.summary, t.empty), nil, nil, nil, t.scroll)
}

// show draws the route of r, from a copy of its hops; it runs again when DNS
// has marked the recipient's MX.
func (t *routeTab) show(r *inspect.Report) {
	hops := slices.Clone(r.Route.Hops)
	t.summary.SetText(routeSummary(r.Route, hops))
	t.empty.SetText("")
	if len(hops) == 0 {
		t.empty.SetText(lang.L("No Received field: the message never went through an MTA (a draft, a sent copy, or a local file)."))
	}
	setVisible(t.empty, len(hops) == 0)
	t.diagram.setModel(buildRouteModel(r.Route, hops, mailboxOwners(r.Envelope)))
	t.scroll.Refresh()
}

// routeSummary is "written 2000-05-11 18:19:24 +0200 · 3 hops · 27 s in the
// sender's outbox · 46 s from the Date field to the mailbox".
func routeSummary(rt inspect.Route, hops []inspect.RouteHop) string {
	n := len(hops)
	var parts []string
	if !rt.Written.IsZero() {
		parts = append(parts, lang.L("written {{.Date}}", map[string]any{"Date": rt.Written.Format("2006-01-02 15:04:05 -0700")}))
	} else if d := firstDate(hops); !d.IsZero() {
		parts = append(parts, lang.L("first hop {{.Date}}", map[string]any{"Date": d.Format("2006-01-02 15:04:05 -0700")}))
	}
	parts = append(parts, lang.N("{{.Count}} hops", n, map[string]any{"Count": n}))
	if rt.Outbox != nil {
		parts = append(parts, lang.L("{{.Delay}} in the sender's outbox", map[string]any{"Delay": unsigned(*rt.Outbox)}))
	}
	if rt.Transit != nil {
		parts = append(parts, lang.L("{{.Delay}} from the Date field to the mailbox", map[string]any{"Delay": unsigned(*rt.Transit)}))
	}
	return strings.Join(parts, " · ")
}

// unsigned is a duration without its sign when it is positive: "27 s".
func unsigned(s inspect.Seconds) string {
	return strings.TrimPrefix(s.String(), "+")
}

// mailboxOwners are the envelope recipients, else the To addresses.
func mailboxOwners(e inspect.Envelope) []string {
	if len(e.RcptTo) > 0 {
		return e.RcptTo
	}
	var out []string
	for _, m := range e.Header.To {
		if m.Addr != "" {
			out = append(out, m.Addr)
		}
	}
	return out
}
