package compose

import (
	"bytes"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"facteur/internal/mailaddr"
	"facteur/mua/account"
)

// Draft is a message being written, as the composer holds it.
type Draft struct {
	// From is the identity that sends; its Signature is already in Body
	// when the draft came from a builder.
	From account.Identity
	// To, Cc and Bcc are address lists as typed ("Marc <marc@machin.com>,
	// fred@truc.fr"); Check reports the bad ones. Bcc goes into the SMTP
	// envelope only.
	To, Cc, Bcc string
	Subject     string
	// Body is the plain text, LF or CRLF line ends.
	Body string
	// Flowed sends the body as format=flowed (RFC 3676).
	Flowed      bool
	Attachments []Attachment
	// InReplyTo and References are message ids without angle brackets,
	// References oldest first (RFC 5322 §3.6.4).
	InReplyTo  string
	References []string
	// Date is the Date field; zero means the time of Build.
	Date time.Time
	// Alternative, when set, is sent beside the text as multipart/
	// alternative (RFC 2046 §5.1.4): an iMIP calendar part (RFC 6047).
	Alternative *Alternative
}

// Alternative is another form of the body than its text: its media type
// with parameters ("text/calendar", method=REPLY) and its content in CRLF
// lines, UTF-8 when it is text.
type Alternative struct {
	ContentType string
	Params      map[string]string
	Data        []byte
}

// Attachment is a file joined to a draft. Its content comes from Open when
// set, else from Data when not nil, else from the file at Path.
type Attachment struct {
	Name        string // file name shown to the recipient
	ContentType string // "application/pdf"; "" means guessed from Name
	Path        string
	Data        []byte
	Open        func() (io.ReadCloser, error)
	Size        int64 // bytes, for the composer's list and the SIZE warning
}

// AttachFile returns the attachment of a file, with its size and the
// content type guessed from its extension.
func AttachFile(path string) (Attachment, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Attachment{}, err
	}
	name := filepath.Base(path)
	return Attachment{Name: name, ContentType: typeByName(name), Path: path, Size: fi.Size()}, nil
}

func typeByName(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// open returns the content of the attachment.
func (a Attachment) open() (io.ReadCloser, error) {
	switch {
	case a.Open != nil:
		return a.Open()
	case a.Data != nil:
		return io.NopCloser(bytes.NewReader(a.Data)), nil
	}
	return os.Open(a.Path)
}

// New returns an empty draft from an identity, with its signature.
func New(from account.Identity) Draft {
	return Draft{From: from, Body: withSignature("", from.Signature)}
}

// CheckField checks one address field as typed: every bad address with
// its reason, for the composer to underline. An empty field is no error.
func CheckField(field, text string) AddressErrors {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	list, err := mailaddr.ParseList(text)
	if err != nil {
		return AddressErrors{{Field: field, Text: text, Err: err}}
	}
	var out AddressErrors
	for _, a := range list {
		if a.IsEmptyGroup() {
			continue
		}
		if err := mailaddr.Validate(a.Raw); err != nil {
			out = append(out, &AddressError{Field: field, Text: strings.TrimSpace(a.Raw), Err: err})
		}
	}
	return out
}

// Check reports every bad address of the draft (nil when all are good).
func (d Draft) Check() error {
	var all AddressErrors
	if err := mailaddr.Validate(d.From.Address); err != nil {
		all = append(all, &AddressError{Field: "From", Text: d.From.Address, Err: err})
	}
	all = append(all, CheckField("To", d.To)...)
	all = append(all, CheckField("Cc", d.Cc)...)
	all = append(all, CheckField("Bcc", d.Bcc)...)
	if len(all) == 0 {
		return nil
	}
	return all
}

// Size estimates the size of the built message: the body and the
// attachments in base64, for the SIZE warning while composing.
func (d Draft) Size() int64 {
	n := int64(len(d.Body)) + 1024
	for _, a := range d.Attachments {
		size := a.Size
		if size == 0 {
			size = int64(len(a.Data))
		}
		n += size*4/3 + size/38 + 256 // base64 and its CRLFs
	}
	return n
}
