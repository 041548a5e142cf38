package message_test

import (
	"fmt"
	"io"
	"strings"

	"facteur/internal/message"
)

func ExampleParse() {
	const raw = "From: =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@truc.fr>\r\n" +
		"To: marc@machin.com (Marc)\r\n" +
		"Subject: =?utf-8?q?Caf=C3=A9?=\r\n" +
		"Date: 11 May 00 18:19 +0200\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n" +
		"\r\n" +
		"--b\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n" +
		"\r\n" +
		"<p>Le caf&eacute; est <a href=\"https://example.org/\">pr&ecirc;t</a>.</p>\r\n" +
		"--b\r\n" +
		"Content-Type: application/pdf\r\n" +
		"Content-Disposition: attachment; filename*=utf-8''menu%20d%C3%A9j.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"JVBERi0xLjQK\r\n" +
		"--b--\r\n"
	m, err := message.Parse(strings.NewReader(raw), message.Options{MaxText: 64 << 10})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.From[0], "->", m.To[0])
	fmt.Println(m.Subject, m.Date.Format("2006-01-02 15:04 -0700"))
	fmt.Printf("%q from HTML: %v, links %q\n", m.Text, m.FromHTML, m.Links)
	for _, a := range m.Attachments {
		fmt.Printf("part %s: %s %q, %d bytes\n", a.Path, a.ContentType, a.Filename, a.Size)
	}

	part, r, _ := message.OpenPart(strings.NewReader(raw), m.Attachments[0].Path)
	content, _ := io.ReadAll(r)
	fmt.Printf("%s: %q\n", part.Filename, content)
	// Output:
	// Frédéric <fred@truc.fr> -> Marc <marc@machin.com>
	// Café 2000-05-11 18:19 +0200
	// "Le café est prêt." from HTML: true, links ["https://example.org/"]
	// part 2: application/pdf "menu déj.pdf", 9 bytes
	// menu déj.pdf: "%PDF-1.4\n"
}
