package mailer

import (
	"context"

	"facteur/mua/account"
	"facteur/mua/submit"
)

// Outbox is the deliverer of the local MTA's outbox (localmta.Config.Outbox)
// for the profile's remote accounts: the messages Send queued go through
// their account's SMTP server when the MTA retries them, and the first
// delivery files the copy in Sent as Send does (SaveSent: in the store at
// once and, for an IMAP account, by an APPEND journaled), then sends the
// journal to the server at once. When the server does not answer, the
// APPEND waits in the journal for the next push or sync: the copy reaches
// the server's Sent folder once, whichever front door ran the MTA.
func (m *Mailer) Outbox() *submit.Outbox {
	return &submit.Outbox{Client: m.submitter(0), Accounts: m.book, Sent: deliveredCopy{m}, Logger: m.logger(), User: m.login()}
}

// deliveredCopy is the SentSaver of the MTA's deliveries.
type deliveredCopy struct{ m *Mailer }

func (d deliveredCopy) SaveSent(ctx context.Context, a account.Account, raw []byte) error {
	if err := d.m.SaveSent(ctx, a, raw); err != nil {
		return err
	}
	if a.Protocol != account.IMAP || a.Options.ServerSavesSent {
		return nil
	}
	if d.m.Watcher() != nil {
		d.m.push(Change{Journaled: []string{a.Name}})
		return nil
	}
	if _, err := d.m.replay(ctx, a.Name); err != nil {
		d.m.logger().Warn("the copy in Sent waits for the IMAP server; the next sync sends it", "account", a.Name, "err", err)
	}
	return nil
}
