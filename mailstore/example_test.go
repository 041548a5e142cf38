package mailstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"facteur/mailstore"
)

func Example() {
	dir, _ := os.MkdirTemp("", "facteur-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := mailstore.Open(ctx, dir) // dir/mail/..., dir/index.sqlite
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	inbox := mailstore.FolderRef{Account: "Local", Name: "INBOX"}
	if err := s.CreateFolder(ctx, inbox, mailstore.RoleInbox); err != nil {
		log.Fatal(err)
	}
	msg := "From: Christian CALECA <christian.caleca@w-n-doo.fr>\r\n" +
		"To: eme13@enprovence.com\r\nSubject: test itineraire\r\n" +
		"Date: Thu, 11 May 2000 18:19:24 +0200\r\n\r\nTest d'itineraire.\r\n"
	env := &mailstore.Envelope{MailFrom: "christian.caleca@wanadoo.fr", RcptTo: []string{"eme13@enprovence.com"}}
	if _, err := s.Add(ctx, inbox, strings.NewReader(msg), mailstore.AddOptions{Envelope: env}); err != nil {
		log.Fatal(err)
	}
	found, err := s.Search(ctx, `from:caleca "test itin`, mailstore.SearchOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range found {
		fmt.Printf("%s | %s | %s | envelope from %s\n", m.Date.UTC().Format("2006-01-02 15:04"),
			m.From[0].Name, m.Subject, m.Envelope.MailFrom)
	}
	// Output:
	// 2000-05-11 16:19 | Christian CALECA | test itineraire | envelope from christian.caleca@wanadoo.fr
}
