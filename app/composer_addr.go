package app

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/mailaddr"
	"facteur/internal/message"
	"facteur/mailstore"
	"facteur/mua/compose"
)

// maxSuggestions bounds the addresses offered under a field.
const maxSuggestions = 5

// addrField is an address field of the composer: the entry, the reasons
// of its bad addresses under it, and the addresses of the store that
// complete the word being typed.
type addrField struct {
	cm      *composer
	name    string // "To", "Cc", "Bcc": compose's field names
	key     *widget.Label
	entry   *widget.Entry
	problem *widget.Label
	suggest *fyne.Container
	box     *fyne.Container
	stop    func() // the planned look-up
	gen     int    // bumped by each edit: older answers are dropped
}

func (cm *composer) newAddrField(name, label, text string) *addrField {
	f := &addrField{cm: cm, name: name, key: keyLabel(label)}
	f.entry = widget.NewEntry()
	f.entry.SetText(text)
	f.entry.OnChanged = f.edited
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()
	f.suggest = container.NewVBox()
	f.suggest.Hide()
	f.box = container.NewVBox(f.entry, f.problem, f.suggest)
	f.check()
	return f
}

// edited checks the field at once and looks up completions after a pause.
func (f *addrField) edited(string) {
	f.check()
	f.gen++
	f.stopLookup()
	f.showSuggestions(nil)
	word := completionWord(f.entry.Text)
	if len([]rune(word)) >= 2 && f.cm.c.store != nil {
		gen := f.gen
		f.stop = f.cm.c.work.later(completeAfter, func() { f.lookup(gen, word) })
	}
	f.cm.changed()
}

func (f *addrField) stopLookup() {
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
}

// check shows the reason of every bad address under the field. The word
// being typed is not judged until it has its @domain or the field goes on.
func (f *addrField) check() {
	var lines []string
	for _, e := range compose.CheckField(f.name, f.entry.Text) {
		if unfinished(f.entry.Text, e.Text) {
			continue
		}
		lines = append(lines, e.Text+": "+addressReason(e))
	}
	f.problem.SetText(strings.Join(lines, "\n"))
	setVisible(f.problem, len(lines) > 0)
}

// unfinished tells a last address still being typed: no @ yet.
func unfinished(field, addr string) bool {
	last := strings.TrimSpace(field[strings.LastIndexByte(field, ',')+1:])
	return last == strings.TrimSpace(addr) && !strings.Contains(addr, "@")
}

// addressReason is mailaddr's reason, "source route (deprecated by RFC
// 1123 §5.2.19 and RFC 5321 §3.6.1)", in the window's language.
func addressReason(e *compose.AddressError) string {
	var pe *mailaddr.ParseError
	if !errors.As(e.Err, &pe) || pe.Reason == nil {
		return e.Err.Error()
	}
	for _, r := range addressReasons() {
		if errors.Is(pe.Reason, r.err) {
			return r.text
		}
	}
	return pe.Reason.Error()
}

// addressReasons are the sentences of mailaddr's reasons.
func addressReasons() []struct {
	err  error
	text string
} {
	return []struct {
		err  error
		text string
	}{
		{mailaddr.ErrSourceRoute, lang.L("source route (deprecated by RFC 1123 §5.2.19 and RFC 5321 §3.6.1)")},
		{mailaddr.ErrEmpty, lang.L("empty address")},
		{mailaddr.ErrNoAt, lang.L("missing @domain")},
		{mailaddr.ErrBadLocal, lang.L("bad local part (before the @)")},
		{mailaddr.ErrBadDomain, lang.L("bad domain")},
		{mailaddr.ErrUnterminated, lang.L("unterminated quoted string, comment, literal or angle address")},
		{mailaddr.ErrSyntax, lang.L("syntax error")},
		{mailaddr.ErrTooLong, lang.L("address too long (RFC 5321 §4.5.3.1)")},
		{mailaddr.ErrBadParam, lang.L("bad ESMTP parameter")},
	}
}

// completionWord is the address being typed: the text after the last comma.
func completionWord(text string) string {
	return strings.TrimSpace(text[strings.LastIndexByte(text, ',')+1:])
}

// lookup asks the store for addresses that start like word.
func (f *addrField) lookup(gen int, word string) {
	f.stop = nil
	c := f.cm.c
	c.work.bg(func(ctx context.Context) func() {
		found := c.knownAddresses(ctx, word)
		return func() {
			if gen == f.gen && !f.cm.closed {
				f.showSuggestions(offered(found, word))
			}
		}
	})
}

// knownAddresses are the addresses of the store's From, To and Cc fields
// that begin like word (the address or a word of the name).
func (c *controller) knownAddresses(ctx context.Context, word string) []message.Address {
	term := queryTerm(word)
	if term == "" {
		return nil
	}
	var out []message.Address
	seen := map[string]bool{}
	for _, q := range []string{"from:" + term, "to:" + term, "cc:" + term} {
		sums, err := c.store.Search(ctx, q, mailstore.SearchOptions{Limit: 50})
		if err != nil {
			continue
		}
		for _, s := range sums {
			for _, a := range concatAddrs(s.From, s.To, s.Cc) {
				key := strings.ToLower(a.Addr)
				// an address without its @domain is a draft's unfinished
				// word (the composer's own autosave), not one to offer
				if seen[key] || !strings.Contains(a.Addr, "@") || !matchesWord(a, word) {
					continue
				}
				seen[key] = true
				out = append(out, a)
				if len(out) == maxSuggestions {
					return out
				}
			}
		}
	}
	return out
}

func concatAddrs(lists ...[]message.Address) []message.Address {
	var out []message.Address
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// queryTerm keeps the letters of word that the query language reads as one
// term.
func queryTerm(word string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_@", r) {
			return r
		}
		return -1
	}, word)
}

// matchesWord: the address or a word of the name begins with word.
func matchesWord(a message.Address, word string) bool {
	w := strings.ToLower(word)
	if strings.HasPrefix(strings.ToLower(a.Addr), w) {
		return true
	}
	for _, part := range strings.Fields(strings.ToLower(a.Name)) {
		if strings.HasPrefix(part, w) {
			return true
		}
	}
	return false
}

// offered are the suggestions worth showing for word: none once word is
// one of them, a whole address typed (the list would only push the fields
// below down).
func offered(found []message.Address, word string) []message.Address {
	for _, a := range found {
		if strings.EqualFold(word, a.Addr) || strings.EqualFold(word, displayAddress(a)) || strings.EqualFold(word, entryAddress(a)) {
			return nil
		}
	}
	return found
}

// showSuggestions lists the completions as buttons under the field.
func (f *addrField) showSuggestions(list []message.Address) {
	f.suggest.RemoveAll()
	for _, a := range list {
		b := widget.NewButton(displayAddress(a), func() { f.complete(a) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		f.suggest.Add(b)
	}
	setVisible(f.suggest, len(list) > 0)
}

// complete puts the address chosen in place of the word being typed.
func (f *addrField) complete(a message.Address) {
	text := f.entry.Text
	head := ""
	if i := strings.LastIndexByte(text, ','); i >= 0 {
		head = text[:i+1] + " "
	}
	f.entry.SetText(head + entryAddress(a) + ", ")
	f.gen++
	f.stopLookup()
	f.showSuggestions(nil)
	f.entry.CursorColumn = len([]rune(f.entry.Text))
	f.entry.Refresh()
	f.cm.win.Canvas().Focus(f.entry)
}

// displayAddress is "Name <addr>" for the suggestion list.
func displayAddress(a message.Address) string {
	if a.Name == "" {
		return a.Addr
	}
	return a.Name + " <" + a.Addr + ">"
}

// entryAddress writes an address as RFC 5322 reads it: the name quoted
// when it holds specials.
func entryAddress(a message.Address) string {
	if a.Name == "" {
		return a.Addr
	}
	name := a.Name
	if strings.ContainsAny(name, `()<>[]:;@\,."`) {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + a.Addr + ">"
}
