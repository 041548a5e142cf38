package inspect

import (
	"strings"
	"time"
)

// Route is the path of the message, hop by hop, in the order it travelled:
// the bottom Received field first (RFC 5321 §4.4: each MTA prepends its
// own).
type Route struct {
	Hops []RouteHop `json:"hops"`
	// Written is the Date header: when the sender's MUA wrote the message.
	Written time.Time `json:"written,omitzero"`
	// Outbox is the time between Date and the first hop: the time the
	// message waited in the sender's outbox. Nil when either is unknown.
	Outbox *Seconds `json:"outbox,omitempty"`
	// Transit is the time from Date (or, without it, the first hop) to the
	// last hop with a date.
	Transit *Seconds `json:"transit,omitempty"`
}

// RouteHop is a Hop with what its place in the route tells.
type RouteHop struct {
	Hop
	Index int  `json:"index"` // 1 for the first hop in travel order
	Role  Role `json:"role"`
	// Delay is the time since the previous hop that has a date; nil for
	// the first hop and for hops without a date.
	Delay *Seconds `json:"delay,omitempty"`
	// Elapsed is the time since the message was written (Date), or since
	// the first hop when Date is unknown.
	Elapsed *Seconds `json:"elapsed,omitempty"`
	Flags   Flags    `json:"flags,omitempty"`
}

// buildRoute parses the Received fields, given in header order (top
// first), puts them in travel order and measures the delays against the
// Date header.
func buildRoute(received []string, written time.Time) Route {
	r := Route{Written: written, Hops: make([]RouteHop, len(received))}
	u := newUnfolder(received)
	tls := make([]TLS, len(received)) // one allocation for the hops' TLS
	var strs stringSlab
	for i := range received {
		parseUnfolded(&r.Hops[i].Hop, u.unfold(received[len(received)-1-i]), &tls[i], &strs)
		r.Hops[i].Index = i + 1
	}
	r.timing()
	for i := range r.Hops {
		rh := &r.Hops[i]
		rh.Role = roleOf(r.Hops, i)
		rh.Flags |= addrFlags(&rh.Hop)
		if rh.Date.IsZero() {
			rh.Flags |= FlagBadDate
		}
		if noTLS(rh) {
			rh.Flags |= FlagNoTLS
		}
	}
	return r
}

// unfolder unfolds the values of a route: those already in that form stay
// as they are, the others are copied into one buffer shared by all, so
// that a long route costs one allocation here.
type unfolder struct{ b strings.Builder }

func newUnfolder(values []string) *unfolder {
	u := &unfolder{}
	n := 0
	for _, v := range values {
		n += len(v)
	}
	u.b.Grow(n) // room for all: cheaper than looking which need it
	return u
}

// unfold returns v unfolded; it never moves what it wrote before, since
// the buffer was grown for every value at once.
func (u *unfolder) unfold(v string) string {
	if isUnfolded(v) {
		return v
	}
	start := u.b.Len()
	writeUnfolded(&u.b, v)
	return u.b.String()[start:]
}

// timing fills Delay, Elapsed, Outbox and Transit, and flags clock skew.
// The durations share one array: one allocation for the whole route.
func (r *Route) timing() {
	var start, prev, last time.Time
	if !r.Written.IsZero() {
		start = r.Written
	}
	slab := make([]Seconds, 0, 2*len(r.Hops)+2)
	take := func(d time.Duration) *Seconds {
		slab = append(slab, Seconds(d))
		return &slab[len(slab)-1]
	}
	for i := range r.Hops {
		rh := &r.Hops[i]
		if rh.Date.IsZero() {
			continue
		}
		if start.IsZero() {
			start = rh.Date
		}
		if prev.IsZero() && !r.Written.IsZero() {
			r.Outbox = take(rh.Date.Sub(r.Written))
		}
		if !prev.IsZero() {
			rh.Delay = take(rh.Date.Sub(prev))
			if rh.Date.Before(prev) {
				rh.Flags |= FlagClockSkew
			}
		}
		rh.Elapsed = take(rh.Date.Sub(start))
		prev, last = rh.Date, rh.Date
	}
	if !last.IsZero() {
		r.Transit = take(last.Sub(start))
	}
}

// addrFlags flags a client IP that is loopback, private (RFC 1918, RFC
// 4193) or link-local: a hop inside one host or one network.
func addrFlags(h *Hop) Flags {
	var f Flags
	if h.IP.IsLoopback() {
		f |= FlagLoopback
	}
	if h.IP.IsPrivate() || h.IP.IsLinkLocalUnicast() {
		f |= FlagPrivateIP
	}
	return f
}

// noTLS tells whether a hop went between two different hosts with nothing
// saying that TLS protected it.
func noTLS(rh *RouteHop) bool {
	h := &rh.Hop
	if h.Unparsed || h.From == "" || h.By == "" || h.TLS != nil || h.Protocol.Secure() {
		return false
	}
	if rh.Role == RoleInternal || h.IP.IsLoopback() || h.Protocol == ProtoLocal || h.Protocol == ProtoMAPI {
		return false
	}
	return !sameHost(h.From, h.By) && !sameHost(h.RDNS, h.By)
}

// sameHost compares two host names as DNS does: without case, without the
// trailing dot.
func sameHost(a, b string) bool {
	a, b = strings.TrimSuffix(a, "."), strings.TrimSuffix(b, ".")
	return a != "" && strings.EqualFold(a, b)
}

// roleOf names the part a hop plays, in the course's words: the MUA's
// submission to its MTA, a relay between MTAs, a hand-off inside one host
// (content filters, qmail's queue), or the delivery to the MDA that fills
// the mailbox (LMTP, or the last hop).
func roleOf(hops []RouteHop, i int) Role {
	h := &hops[i].Hop
	first, last := i == 0, i == len(hops)-1
	switch {
	case h.Unparsed:
		return RoleUnknown
	case h.Protocol.LMTP():
		return RoleDelivery
	case isSubmission(h, first):
		return RoleSubmission
	case last:
		return RoleDelivery
	case isInternal(h):
		return RoleInternal
	}
	return RoleRelay
}

// isSubmission tells whether a hop is a user agent handing the message to
// its first MTA: authenticated (RFC 3848's A, "Authenticated sender"), from
// a webmail, Outlook or a local process, or, for the first hop, from a
// client that is plainly not an MTA (a bare PC name such as the course's
// CHRIS, an address literal, localhost, no from clause at all).
func isSubmission(h *Hop, first bool) bool {
	if h.Authenticated || h.Protocol.Client() || localInjection(h) {
		return true
	}
	if !first {
		return false
	}
	helo := h.HELO
	if helo == "" {
		helo = h.From
	}
	return h.From == "" || strings.HasPrefix(helo, "[") || !strings.Contains(helo, ".") ||
		h.IP.IsLoopback() || h.IP.IsPrivate()
}

// localInjection recognises a message that a local user's process handed
// to the MTA: Postfix's "(Postfix, from userid 1000)", qmail's "invoked by
// uid 1000", Sendmail's "(from alice@localhost)" (a user, no IP).
func localInjection(h *Hop) bool {
	if strings.Contains(h.Software, "from userid") || strings.Contains(h.From, "@") && !h.IP.IsValid() {
		return true
	}
	for _, c := range h.Comments {
		if strings.Contains(c, "invoked by uid") || strings.HasPrefix(c, "from ") && h.From == "" {
			return true
		}
	}
	return false
}

// isInternal tells whether a hop stays inside one host: the same name on
// both sides, qmail's "invoked from network" line, or a loopback client (a
// content filter handing the message back), unless that client is a named
// peer: distinct hosts on 127.0.0.x, as in Facteur's own test networks.
func isInternal(h *Hop) bool {
	if sameHost(h.From, h.By) || sameHost(h.RDNS, h.By) || (h.From == "" && h.By == "") {
		return true
	}
	return h.IP.IsLoopback() && !namedPeer(h)
}

// namedPeer tells whether the client is a host of its own: its HELO name
// and the reverse DNS of its IP are one dotted name, neither localhost's
// ("localhost.localdomain") nor the receiver's.
func namedPeer(h *Hop) bool {
	helo := h.HELO
	if helo == "" {
		helo = h.From
	}
	return sameHost(helo, h.RDNS) && isHostName(h.RDNS) && !sameHost(h.RDNS, h.By) &&
		!strings.HasPrefix(strings.ToLower(h.RDNS), "localhost")
}
