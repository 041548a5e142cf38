package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"facteur/internal/message"
	"facteur/mailstore"
)

func cmdSearch(e *env) error {
	fs := newFlags(e, "search")
	folder := fs.String("folder", "", "search only this folder (NAME of the Local account, or ACCOUNT/NAME)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	limit := fs.Int("limit", 0, "at most N results (0: all)")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usageError{"usage: facteur search [--folder F] [--json] QUERY"}
	}
	s, err := openStoreToRead(e)
	if err != nil {
		return err
	}
	defer s.Close()
	opt := mailstore.SearchOptions{Limit: *limit}
	if *folder != "" {
		ref, err := existingFolder(e, s, *folder)
		if err != nil {
			return err
		}
		opt.Folder = &ref
	}
	hits, err := s.Search(e.ctx, strings.Join(args, " "), opt)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e, s, hits)
	}
	for _, h := range hits {
		fmt.Fprintln(e.stdout, searchLine(h))
	}
	return nil
}

// searchLine is one result as notmuch search prints it: date, sender; subject.
func searchLine(h mailstore.Summary) string {
	flags := ""
	if h.Flags&mailstore.FlagSeen == 0 {
		flags += " (unread)"
	}
	if h.Flags&mailstore.FlagFlagged != 0 {
		flags += " (flagged)"
	}
	return fmt.Sprintf("%s  %-28s  %s  [%s]%s", h.Date.Local().Format("2006-01-02 15:04"),
		clip(sender(h.From), 28), h.Subject, h.Folder, flags)
}

func sender(from []message.Address) string {
	if len(from) == 0 {
		return "(no sender)"
	}
	if from[0].Name != "" {
		return from[0].Name
	}
	return from[0].Addr
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// jsonHit is the stable JSON form of a search result.
type jsonHit struct {
	ID         int64     `json:"id"`
	Folder     string    `json:"folder"`
	Date       time.Time `json:"date"`
	From       []string  `json:"from"`
	To         []string  `json:"to"`
	Subject    string    `json:"subject"`
	MessageID  string    `json:"message_id"`
	Flags      string    `json:"flags"`
	Size       int64     `json:"size"`
	Attachment bool      `json:"attachment"`
	// Keywords are the IMAP keywords of the message ($Label1, Work),
	// sorted; [] when none.
	Keywords []string `json:"keywords"`
}

func writeJSON(e *env, s *mailstore.Store, hits []mailstore.Summary) error {
	kws, err := s.KeywordsOf(e.ctx, hits)
	if err != nil {
		return err
	}
	out := make([]jsonHit, 0, len(hits))
	for _, h := range hits {
		kw := kws[h.ID]
		if kw == nil {
			kw = []string{}
		}
		out = append(out, jsonHit{
			ID: h.ID, Folder: h.Folder.String(), Date: h.Date, From: addrStrings(h.From),
			To: addrStrings(h.To), Subject: h.Subject, MessageID: h.MessageID,
			Flags: h.Flags.Maildir(), Size: h.Size, Attachment: h.Attachment, Keywords: kw,
		})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func addrStrings(as []message.Address) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}
