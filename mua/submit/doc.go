// Package submit sends the messages of mua/compose: SMTP submission (RFC
// 6409) with github.com/emersion/go-smtp's client, the copy in Sent, and
// the outbox that keeps what could not go out in the local MTA's queue.
//
// Submission requires TLS (RFC 8314): implicit TLS on 465, or STARTTLS
// (RFC 3207) on 587, where a server that does not offer it is an
// ErrNoStartTLS and nothing is sent; plaintext only when the account says
// SecurityNone. Certificates are verified by account.Dialer, with pinning.
// AUTH PLAIN or LOGIN (RFC 4954, github.com/emersion/go-sasl) follows TLS;
// an OAuth2 account authenticates with OAUTHBEARER (RFC 7628) when the
// server announces it, else XOAUTH2, and an access token that package
// facteur/mua/oauth refreshes when needed; a server that announces neither
// is an *oauth.MechanismError, a refused token an *oauth.RejectedError.
// The message size is checked against SIZE (RFC 1870) before MAIL;
// 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) are used when the message
// needs them. Each refused recipient is reported with the server's reply
// (*RecipientsError); the others get the message.
//
// The outbox (Outbox) hands a message that cannot be sent now (the network
// or the server is down, a failed TLS handshake, a 4xx reply, a connection
// cut before the whole message was sent, or "send later") to the local
// MTA's durable queue with queue.Message.Relay naming the account: the MTA
// (localmta.Config.Outbox) gives it back to Outbox.Deliver, which submits
// it with the same code, retried with the queue's backoff. Recipients
// refused for now (4xx to RCPT) while the others were accepted wait there
// alone. When the reply to the final dot is lost (the connection closed,
// or none within the deadline), the server may have the message
// (UncertainError): on the first try as on a retry it is never sent again
// by itself, lest it arrive twice; its copy in Sent carries DeliveryField,
// and the user is told.
package submit
