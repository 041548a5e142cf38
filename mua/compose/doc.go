// Package compose builds the messages that Facteur sends: a Draft (what the
// composer shows: identity, recipients as typed, subject, plain-text body,
// attachments) and the builders of the usual commands, New, Reply, ReplyAll,
// Forward (inline, or as a message/rfc822 attachment) and EditAsNew.
//
// Build turns a Draft into the bytes to submit with go-message's mail writer:
// RFC 5322 header fields with RFC 2047 encoded words, MIME (RFC 2045-2049)
// with a UTF-8 text/plain body in 7bit, quoted-printable or base64 as fits,
// format=flowed on request (RFC 3676), multipart/mixed for attachments with
// RFC 2231 filenames, Message-ID, Date, MIME-Version, and In-Reply-To and
// References on replies (RFC 5322 §3.6.4). Bcc recipients are in the SMTP
// envelope only, never in a header field (RFC 5322 §3.6.3, the "blind"
// variant). A CR or LF in any header value is a *InjectionError: header
// injection is impossible.
//
// ParseMailto reads a mailto: URI (RFC 6068) into a Draft.
package compose
