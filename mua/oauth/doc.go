// Package oauth logs Facteur in to mail providers that require OAuth2
// (RFC 6749), through golang.org/x/oauth2, when the user supplies a client
// ID (and, for providers that issue one, a client secret).
//
// The authorization is the code flow of a native application (RFC 8252):
// Flow listens on a loopback port (127.0.0.1:0, RFC 8252 §7.3), hands the
// authorization URL to a callback (the GUI opens the browser, the CLI prints
// the URL and tries the system's opener), and waits for the browser to come
// back to http://127.0.0.1:PORT/ with the code. The request carries a random
// state, checked on return (RFC 6749 §10.12), and a PKCE S256 challenge
// (RFC 7636) whose verifier goes with the code to the token endpoint. The
// browser is shown a small page saying that the window may be closed.
//
// Tokens keeps the token like a password (account.Credentials: the OS
// keyring, or a file of mode 0600 with a warning) under
// account.TokenKey, hands out the access token while it is valid, and
// otherwise refreshes it with the refresh token (RFC 6749 §6) and saves
// the new one before returning it. A refresh token that the provider no
// longer accepts is ErrReauthorize: the user must run the flow again.
//
// The provider presets (Google, Microsoft) give the endpoints and the mail
// scopes; Detect picks one from the address's domain or the servers' names
// (as Thunderbird's autoconfig, whose "OAuth2" authentication entry names
// them). Custom endpoints and scopes are accepted too.
//
// The access token goes to the mail servers through SASL: OAUTHBEARER
// (RFC 7628, with github.com/emersion/go-sasl's client) when the server
// announces it, else Google's and Microsoft's XOAUTH2
// (https://developers.google.com/gmail/imap/xoauth2-protocol): IMAP
// AUTHENTICATE (RFC 9051 §6.2.2), SMTP AUTH (RFC 4954), POP3 AUTH
// (RFC 5034). SASLClient answers a server's error challenge as each
// mechanism requires (%x01 for OAUTHBEARER, an empty response for XOAUTH2)
// so that the server ends the exchange with its refusal, which Rejected
// turns into a *RejectedError (errors.Is ErrRejected).
package oauth
