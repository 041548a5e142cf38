package imapserver

// Facteur: this file adds the ID command (RFC 2971), which upstream's
// imapserver lacks (its imapclient has it). See FACTEUR.md.

import (
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/internal/imapwire"
)

// Limits of RFC 2971 section 3.3.
const (
	maxIDPairs    = 30
	maxIDFieldLen = 30
	maxIDValueLen = 1024
)

// SessionID is an IMAP session which supports ID (RFC 2971).
//
// The ID capability is advertised, in every state, when the session
// implements this interface.
type SessionID interface {
	Session

	// ID receives the client's identification (nil for "ID NIL"; fields the
	// client did not send, or sent as NIL, are empty; fields that
	// RFC 2971 does not define are ignored) and returns the server's, nil
	// for "* ID NIL".
	ID(client *imap.IDData) *imap.IDData
}

func (c *Conn) handleID(dec *imapwire.Decoder) error {
	session, ok := c.session.(SessionID)
	if !ok {
		return newClientBugError("ID is not supported")
	}
	if !dec.ExpectSP() {
		return dec.Err()
	}
	client, err := readIDParams(dec)
	if err != nil {
		return err
	}
	if !dec.ExpectCRLF() {
		return dec.Err()
	}

	server := session.ID(client)

	enc := newResponseEncoder(c)
	defer enc.end()
	enc.Atom("*").SP().Atom("ID").SP()
	writeIDParams(enc.Encoder, server)
	return enc.CRLF()
}

// readIDParams reads "NIL" or a list of field-value pairs. It returns nil for
// NIL.
func readIDParams(dec *imapwire.Decoder) (*imap.IDData, error) {
	var atom string
	if dec.Atom(&atom) {
		if !dec.Expect(strings.EqualFold(atom, "NIL"), "NIL") {
			return nil, dec.Err()
		}
		return nil, nil
	}

	data := &imap.IDData{}
	seen := make(map[string]bool)
	err := dec.ExpectList(func() error {
		var field, value string
		if !dec.ExpectString(&field) || !dec.ExpectSP() || !dec.ExpectNString(&value) {
			return dec.Err()
		}
		field = strings.ToLower(field)
		switch {
		case len(seen) >= maxIDPairs:
			return newClientBugError(fmt.Sprintf("ID: more than %v field-value pairs", maxIDPairs))
		case len(field) > maxIDFieldLen:
			return newClientBugError(fmt.Sprintf("ID: field longer than %v octets", maxIDFieldLen))
		case len(value) > maxIDValueLen:
			return newClientBugError(fmt.Sprintf("ID: value of %q longer than %v octets", field, maxIDValueLen))
		case seen[field]:
			return newClientBugError(fmt.Sprintf("ID: field %q sent twice", field))
		}
		seen[field] = true
		if p := idField(data, field); p != nil {
			*p = value
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// idField returns the field of data named by field (lower case), nil if
// RFC 2971 does not define it.
func idField(data *imap.IDData, field string) *string {
	switch field {
	case "name":
		return &data.Name
	case "version":
		return &data.Version
	case "os":
		return &data.OS
	case "os-version":
		return &data.OSVersion
	case "vendor":
		return &data.Vendor
	case "support-url":
		return &data.SupportURL
	case "address":
		return &data.Address
	case "date":
		return &data.Date
	case "command":
		return &data.Command
	case "arguments":
		return &data.Arguments
	case "environment":
		return &data.Environment
	}
	return nil
}

var idFieldNames = []string{
	"name", "version", "os", "os-version", "vendor", "support-url",
	"address", "date", "command", "arguments", "environment",
}

// writeIDParams writes the non-empty fields of data as a list, or NIL when
// data is nil or has none.
func writeIDParams(enc *imapwire.Encoder, data *imap.IDData) {
	var fields []string
	if data != nil {
		for _, name := range idFieldNames {
			if *idField(data, name) != "" {
				fields = append(fields, name)
			}
		}
	}
	if len(fields) == 0 {
		enc.NIL()
		return
	}
	enc.List(len(fields), func(i int) {
		enc.Quoted(fields[i]).SP().String(*idField(data, fields[i]))
	})
}
