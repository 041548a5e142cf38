package submit

import (
	"bytes"
	"context"
	"time"

	"facteur/mailstore"
	"facteur/mua/account"
)

// LocalAccount is the name of the Local account of the mailstore.
const LocalAccount = "Local"

// DeliveryField is the header field that marks the copy in Sent of a
// message whose delivery is uncertain (UncertainError): it comes first,
// before the message's own header, as trace fields do.
const DeliveryField = "X-Facteur-Delivery"

// MarkUncertain returns raw with a DeliveryField saying that server may
// or may not have accepted it at t, and that it was not sent again.
func MarkUncertain(raw []byte, server string, t time.Time) []byte {
	eol := "\r\n"
	if !bytes.Contains(raw, []byte("\r\n")) {
		eol = "\n"
	}
	field := DeliveryField + ": uncertain; server=" + server + "; " + t.Format(time.RFC1123Z) + eol +
		"\t(the connection was lost after the message was sent, before the server" + eol +
		"\tconfirmed it: it may have been delivered; it was not sent again)" + eol
	return append([]byte(field), raw...)
}

// SentSaver files the copy of a sent message.
type SentSaver interface {
	SaveSent(ctx context.Context, a account.Account, raw []byte) error
}

// SentFolders files copies as RFC 6409 §1 leaves to the client: for an
// IMAP account with APPEND to its Sent folder (and the local copy that
// imapsync.Syncer.Append keeps), unless the server saves it itself
// (Options.ServerSavesSent); for POP3 and the Local account in the local
// Sent folder of the mailstore.
type SentFolders struct {
	Store *mailstore.Store
	// Append stores raw in a folder of an IMAP account; a Syncer's Append
	// fits: func(ctx, a, f, raw) error { _, err := syncer(a).Append(ctx, f, raw, mailstore.FlagSeen); return err }.
	// Nil files IMAP copies locally.
	Append func(ctx context.Context, a account.Account, folder string, raw []byte) error
	// Folder is the name of the Sent folder; "" means "Sent".
	Folder string
}

// SaveSent files raw as seen in the account's Sent folder.
func (s *SentFolders) SaveSent(ctx context.Context, a account.Account, raw []byte) error {
	folder := s.Folder
	if folder == "" {
		folder = "Sent"
	}
	if a.Protocol == account.IMAP && a.Name != LocalAccount {
		if a.Options.ServerSavesSent {
			return nil
		}
		if s.Append != nil {
			return s.Append(ctx, a, folder, raw)
		}
	}
	if s.Store == nil {
		return nil
	}
	ref := mailstore.FolderRef{Account: a.Name, Name: folder}
	if err := s.Store.CreateFolder(ctx, ref, mailstore.RoleSent); err != nil {
		return err
	}
	_, err := s.Store.Add(ctx, ref, bytes.NewReader(raw), mailstore.AddOptions{Flags: mailstore.FlagSeen})
	return err
}
