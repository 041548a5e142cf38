package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/account"
)

// identityList edits the other identities of an account in the Accounts
// window: each a name, an address and a signature, removable; "Add an
// address" appends an empty one. mua/account checks them on Save.
type identityList struct {
	rows []*identityRow
	box  *fyne.Container // the rows, then the add button
	add  *widget.Button
}

type identityRow struct {
	name, address, signature *widget.Entry
	remove                   *widget.Button
	view                     fyne.CanvasObject
}

func newIdentityList() *identityList {
	l := &identityList{box: container.NewVBox()}
	l.add = widget.NewButtonWithIcon(lang.L("Add an address"), theme.ContentAddIcon(), func() {
		l.append(account.Identity{})
		l.layout()
	})
	return l
}

// set shows the identities.
func (l *identityList) set(ids []account.Identity) {
	l.rows = nil
	for _, id := range ids {
		l.append(id)
	}
	l.layout()
}

func (l *identityList) append(id account.Identity) {
	r := &identityRow{name: widget.NewEntry(), address: widget.NewEntry(), signature: widget.NewMultiLineEntry()}
	r.name.SetText(id.Name)
	r.name.SetPlaceHolder(lang.L("Your name"))
	r.address.SetText(id.Address)
	r.address.SetPlaceHolder(lang.L("Address"))
	r.signature.SetText(id.Signature)
	r.signature.SetPlaceHolder(lang.L("Signature"))
	r.signature.SetMinRowsVisible(2)
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { l.delete(r) })
	r.view = container.NewVBox(container.NewBorder(nil, nil, nil, r.remove, container.NewGridWithColumns(2, r.name, r.address)), r.signature)
	l.rows = append(l.rows, r)
}

func (l *identityList) delete(r *identityRow) {
	for i, o := range l.rows {
		if o == r {
			l.rows = append(l.rows[:i:i], l.rows[i+1:]...)
			break
		}
	}
	l.layout()
}

func (l *identityList) layout() {
	objs := make([]fyne.CanvasObject, 0, len(l.rows)+1)
	for _, r := range l.rows {
		objs = append(objs, r.view)
	}
	l.box.Objects = append(objs, container.NewHBox(l.add))
	l.box.Refresh()
}

// identities are the rows as typed; a row left wholly empty is dropped.
func (l *identityList) identities() []account.Identity {
	var out []account.Identity
	for _, r := range l.rows {
		id := account.Identity{Name: strings.TrimSpace(r.name.Text), Address: strings.TrimSpace(r.address.Text), Signature: r.signature.Text}
		if id.Name == "" && id.Address == "" && strings.TrimSpace(id.Signature) == "" {
			continue
		}
		out = append(out, id)
	}
	return out
}
