package mda

import (
	"context"
	"slices"
)

// pending is what a delivery gathers before Commit, the same for every
// target: the envelope, the accepted recipients (each once) and the body.
// Targets embed it for Body and Abort and write their own AddRcpt and Commit.
type pending struct {
	env   Envelope
	rcpts []string
	body  Buffer
}

func (p *pending) addRcpt(rcpt string) {
	if !slices.Contains(p.rcpts, rcpt) {
		p.rcpts = append(p.rcpts, rcpt)
	}
}

// Body keeps the message until Commit.
func (p *pending) Body(ctx context.Context, body Buffer) error {
	p.body = body
	return nil
}

// Abort drops the message: nothing was written before Commit.
func (p *pending) Abort(ctx context.Context) error {
	p.body = nil
	return nil
}
