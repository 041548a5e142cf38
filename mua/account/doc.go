// Package account holds Facteur's remote mail accounts: who the user is
// (identity), where mail comes from (IMAP, RFC 9051/3501, or POP3, RFC 1939)
// and where it goes (SMTP submission, RFC 6409), with the options of each.
//
// Accounts live in the profile's settings file (profile.ConfigFile, JSON) under
// the "accounts" key; every other key of that file is kept as it is. The file
// is written atomically: a temporary file, fsync, then rename.
//
// Passwords never go into that file. Credentials keeps them in the operating
// system's keyring (Secret Service over D-Bus, macOS Keychain, Windows
// Credential Manager, through github.com/zalando/go-keyring); where no keyring
// answers, in a file of the profile readable by the user alone (mode 0600),
// and then Credentials.Warning says so, for the GUI and the CLI to show.
//
// An account logs in with a password (AuthPassword, the default) or with
// OAuth2 (AuthOAuth2, RFC 6749): Account.OAuth2 then names the provider, the
// client ID and, for a custom provider, the endpoints and scopes, while the
// token (with its refresh token) and the client secret are kept in
// Credentials like passwords, under TokenKey and ClientSecretKey. Package
// facteur/mua/oauth runs the authorization and refreshes the token.
//
// Security follows RFC 8314 and RFC 2595: TLS is required by default, either
// implicit (IMAPS 993, POP3S 995, submissions 465) or negotiated with
// STARTTLS/STLS (143, 110, 587), and a server that does not offer it is an
// error, never a silent fall-back to plaintext. Plaintext is used only when
// the user chose SecurityNone. Certificates are verified against the system
// roots (or Dialer.RootCAs); a server whose certificate does not verify is
// accepted only when the user pinned the SHA-256 fingerprint of its
// certificate in the account (Server.Fingerprint). Otherwise the handshake
// fails with a *CertificateError that carries the fingerprint, so the GUI can
// show it and ask.
package account
