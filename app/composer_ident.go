package app

import (
	"facteur/internal/message"
	"facteur/mua/account"
	"facteur/mua/compose"
)

// The identities of the composer's From: every identity of every account
// that can send (mua/account's AllIdentities), the Local account first.
// A reply comes from the identity the original was addressed to; the
// signature follows the identity chosen unless the user edited it.

// accountSenders are the From choices of one account: its main identity,
// then the others.
func accountSenders(a account.Account) []fromChoice {
	var list []fromChoice
	for _, id := range a.AllIdentities() {
		label := a.Name + " — " + id.Address
		if id.Name != "" && id.Address != a.Identity.Address {
			label = a.Name + " — " + id.Name + " <" + id.Address + ">"
		}
		list = append(list, fromChoice{label: label, account: &a, id: id})
	}
	return list
}

// pickSender is who answers (or forwards, or edits) message m of account
// acct: for a reply, the identity m was addressed to; to edit a message
// again, the identity that wrote it.
func pickSender(list []fromChoice, kind composeKind, acct string, m *message.Message) account.Identity {
	ch := senderChoice(list, acct)
	if ch.account == nil {
		return ch.id
	}
	if kind == composeEditAsNew {
		if len(m.From) > 0 {
			if id, ok := ch.account.IdentityFor(m.From[0].Addr); ok {
				return id
			}
		}
		return ch.id
	}
	return compose.ReplyIdentity(*ch.account, m)
}

// fromChanged follows a choice in From: the signature of the identity
// before is swapped for the new one's, unless the user edited it.
func (cm *composer) fromChanged() {
	id := cm.identity()
	if body, ok := compose.SwapSignature(cm.body.Text, cm.signed.Signature, id.Signature); ok && body != cm.body.Text {
		cm.body.SetText(body)
	}
	cm.signed = id
	cm.changed()
}
