package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"facteur/internal/mailaddr"
	"facteur/mailstore"
	"facteur/mua/inspect"
)

// The Addresses tab takes every address of the message as it is written and
// explains its forms with internal/mailaddr, as the course's slides
// "Adresses Internet" do: comments, quoted local parts, source routes,
// literals, the obsolete spaces of "jacques @ urec.fr".

// maxAddresses bounds the addresses shown (a list message may have
// thousands).
const maxAddresses = 200

// addressFields are the header fields that hold addresses; pathFields hold
// one SMTP path each.
var (
	addressFields = []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc",
		"Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc",
		"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"}
	pathFields = []string{"Return-Path", "X-Envelope-From"}
)

type addressesTab struct {
	box *fyne.Container
}

func newAddressesTab() *addressesTab {
	return &addressesTab{box: container.NewVBox()}
}

func (t *addressesTab) content() fyne.CanvasObject {
	return container.NewVScroll(t.box)
}

// addrEntry is one field's addresses as parsed, or why they could not be.
type addrEntry struct {
	field string
	addrs []mailaddr.Address
	err   error
}

// show explains the addresses of the header fields of r and of the envelope
// the mailstore recorded.
func (t *addressesTab) show(r *inspect.Report, env *mailstore.Envelope) {
	var blocks []fyne.CanvasObject
	shown := 0
	for _, e := range addressEntries(r.Headers.Fields, env) {
		if shown >= maxAddresses {
			blocks = append(blocks, iconRow(theme.InfoIcon(), lang.L("More addresses are not shown.")))
			break
		}
		blocks = append(blocks, t.fieldCard(e))
		shown += len(e.addrs)
	}
	if len(blocks) == 0 {
		blocks = append(blocks, iconRow(theme.InfoIcon(), lang.L("This message has no address field.")))
	}
	t.box.Objects = []fyne.CanvasObject{sections(blocks...)}
	t.box.Refresh()
}

// addressEntries parses the address fields in header order, then the
// recorded envelope.
func addressEntries(fields []inspect.Field, env *mailstore.Envelope) []addrEntry {
	var out []addrEntry
	for _, f := range fields {
		switch {
		case containsFold(pathFields, f.Name):
			out = append(out, pathEntry(f.Name, f.Value))
		case containsFold(addressFields, f.Name):
			list, err := mailaddr.ParseList(f.Value)
			out = append(out, addrEntry{field: f.Name, addrs: list, err: err})
		}
	}
	if env != nil {
		out = append(out, pathEntry(lang.L("MAIL FROM (recorded by Facteur's MTA)"), "<"+env.MailFrom+">"))
		for _, rcpt := range env.RcptTo {
			out = append(out, pathEntry(lang.L("RCPT TO (recorded by Facteur's MTA)"), "<"+rcpt+">"))
		}
	}
	return out
}

func pathEntry(field, value string) addrEntry {
	p, err := mailaddr.ParsePath(strings.TrimSpace(value))
	e := addrEntry{field: field, err: err}
	if err == nil {
		a := p.Address
		a.Raw = strings.TrimSpace(value) // the path as written, brackets included
		e.addrs = []mailaddr.Address{a}
	}
	return e
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// fieldCard shows the addresses of one field, each with its notes.
func (t *addressesTab) fieldCard(e addrEntry) fyne.CanvasObject {
	box := container.NewVBox()
	for _, a := range e.addrs {
		box.Add(addressBlock(a))
	}
	if e.err != nil {
		box.Add(iconRow(theme.WarningIcon(), lang.L("Part of this field could not be read: {{.Error}}",
			map[string]any{"Error": e.err.Error()})))
	}
	return section(e.field, "", box)
}

// addressBlock is an address as written, what it means, and its forms.
func addressBlock(a mailaddr.Address) fyne.CanvasObject {
	raw := newSelLabel(strings.TrimSpace(a.Raw))
	raw.TextStyle.Monospace = true
	raw.Wrapping = fyne.TextWrapBreak
	head := tightVBox(raw)
	if m := addressMeaning(a); m != "" {
		meaning := wrapLabel()
		meaning.SetText("→ " + m)
		meaning.TextStyle.Bold = true
		head.Add(meaning)
	}
	box := container.NewVBox(head)
	for _, n := range mailaddr.Explain(a) {
		icon := theme.InfoIcon()
		if n.Deprecated {
			icon = theme.WarningIcon()
		}
		box.Add(iconRow(icon, noteText(n)+" ("+n.Ref+")"))
	}
	return box
}

// addressMeaning is the mailbox the address names: canonical address, display
// name, group, the relays of a source route.
func addressMeaning(a mailaddr.Address) string {
	if a.IsEmptyGroup() {
		return lang.L("the group {{.Group}}, with no address", map[string]any{"Group": a.Group})
	}
	addr := a.Addr()
	if addr == "" {
		return lang.L("the null sender <>")
	}
	parts := []string{addr}
	comments := strings.Join(a.Comments, "; ")
	if a.Name != "" && a.Name != comments {
		parts = append(parts, lang.L("name: {{.Name}}", map[string]any{"Name": a.Name}))
	}
	if a.Group != "" {
		parts = append(parts, lang.L("group: {{.Group}}", map[string]any{"Group": a.Group}))
	}
	if len(a.Route) > 0 {
		parts = append(parts, lang.L("through: {{.Relays}}", map[string]any{"Relays": strings.Join(a.Route, ", ")}))
	}
	if comments != "" {
		parts = append(parts, lang.L("comment: {{.Comment}}", map[string]any{"Comment": comments}))
	}
	return strings.Join(parts, " · ")
}
