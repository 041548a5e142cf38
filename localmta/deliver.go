package localmta

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"facteur/localmta/mda"
	"facteur/localmta/queue"
)

// deliver routes each pending recipient and hands local ones to the MDA
// and remote ones, grouped by next hop, to the transport agent (see
// Deliver in events.go).
func (m *MTA) deliver(ctx context.Context, msg queue.Message, body func() (io.ReadCloser, error)) []queue.Result {
	rcpts := msg.Pending()
	if msg.Relay != nil {
		return m.deliverOutbox(ctx, msg, rcpts, body)
	}
	if n, err := countReceived(body); err != nil {
		return allResults(rcpts, smtpErr(451, 4, 3, 0, "cannot read the queued message: "+err.Error()), "")
	} else if n > m.cfg.MaxReceived {
		return allResults(rcpts, smtpErr(554, 5, 4, 6, "mail loops back to myself: too many Received lines"), "")
	}
	var out []queue.Result
	var local []string
	remote := map[NextHop][]string{}
	var hops []NextHop
	for _, r := range rcpts {
		route := m.Route(r)
		switch route.Kind {
		case RouteLocal:
			local = append(local, r)
		case RouteError:
			out = append(out, queue.Result{Rcpt: r, Err: route.Err})
		case RouteRemote:
			if _, ok := remote[route.Hop]; !ok {
				hops = append(hops, route.Hop)
			}
			remote[route.Hop] = append(remote[route.Hop], r)
		}
	}
	if len(local) > 0 {
		out = append(out, m.deliverLocal(ctx, msg, local, body)...)
	}
	for _, hop := range hops {
		out = append(out, m.sendRemote(ctx, hop, msg, remote[hop], body)...)
	}
	return out
}

// deliverOutbox hands a message with its own smarthost (a mail
// account's outbox) to Config.Outbox; without one it stays queued.
func (m *MTA) deliverOutbox(ctx context.Context, msg queue.Message, rcpts []string, body func() (io.ReadCloser, error)) []queue.Result {
	if m.cfg.Outbox == nil {
		return allResults(rcpts, smtpErr(451, 4, 3, 0, "no outbox submitter for account "+msg.Relay.Account), "")
	}
	return m.cfg.Outbox.Deliver(ctx, msg, body)
}

// deliverLocal runs one MDA delivery for the local recipients, after the
// Local account's filter (filter.go).
func (m *MTA) deliverLocal(ctx context.Context, msg queue.Message, rcpts []string, body func() (io.ReadCloser, error)) []queue.Result {
	env := mda.Envelope{MailFrom: msg.From, QueueID: msg.ID, Arrived: msg.Arrived}
	var results []queue.Result
	if f := m.filterLocal(ctx, msg, rcpts, body); f != nil {
		results, rcpts, env.Copies = f.results, f.deliver, f.copies
		if len(rcpts) == 0 {
			return results
		}
	}
	d, err := m.cfg.MDA.StartDelivery(ctx, env)
	if err != nil {
		return append(results, allResults(rcpts, err, m.cfg.Hostname)...)
	}
	var added []string
	for _, r := range rcpts {
		if err := d.AddRcpt(ctx, r); err != nil {
			results = append(results, queue.Result{Rcpt: r, Err: err, Remote: m.cfg.Hostname})
			continue
		}
		added = append(added, r)
	}
	if len(added) == 0 {
		d.Abort(ctx)
		return results
	}
	if err := d.Body(ctx, mda.BufferFunc(body)); err != nil {
		d.Abort(ctx)
		return append(results, allResults(added, err, m.cfg.Hostname)...)
	}
	err = d.Commit(ctx)
	var re *mda.RcptError
	errors.As(err, &re)
	for _, r := range added {
		res := queue.Result{Rcpt: r, Remote: m.cfg.Hostname, Reply: mdaReply(m.cfg.MDA)}
		switch {
		case re != nil:
			res.Err = re.Errs[r]
		case err != nil:
			res.Err = err
		}
		results = append(results, res)
	}
	return results
}

// mdaReply says what the local delivery did, for the log (Postfix's
// "delivered to maildir" and "delivered to mailbox").
func mdaReply(t mda.Target) string {
	switch t.(type) {
	case *mda.Store:
		return "delivered to maildir"
	case *mda.Mbox:
		return "delivered to mailbox"
	}
	return "delivered by the local MDA"
}

// countReceived counts the Received fields of the message header
// (RFC 5322 §3.6.7) for loop detection, as Postfix's hopcount_limit.
func countReceived(body func() (io.ReadCloser, error)) (int, error) {
	rc, err := body()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if len(bytes.TrimRight(line, "\r\n")) == 0 && !errors.Is(err, bufio.ErrBufferFull) {
			return n, nil // end of header
		}
		if len(line) >= 9 && strings.EqualFold(string(line[:9]), "received:") {
			n++
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return n, nil
		}
	}
}
