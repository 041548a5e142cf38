package app

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/mail"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/sieve"
	"facteur/mua/filter"
)

// The Filters window (File > Filters…, and Message > Filter messages like
// this…): an account's Sieve script (mua/filter) as a list of common
// rules in forms, or raw when it was written by hand; Check, a dry run on
// a folder ("Try on this folder") that lists what each message would get,
// and Save, which installs the script for the mail to come.

// filtersWindow belongs to the UI goroutine.
type filtersWindow struct {
	c        *controller
	win      fyne.Window
	accounts *widget.Select
	acct     string
	tabs     *container.AppTabs
	rulesTab *container.TabItem
	rawTab   *container.TabItem
	rules    []*ruleRow
	rulesBox *fyne.Container
	handNote *widget.Label // the script was written by hand: raw only
	raw      *widget.Entry
	status   *widget.Label
	try      *tryList
}

// ruleRow is the form of one rule.
type ruleRow struct {
	field         *widget.SelectEntry
	match, action *widget.Select
	value, arg    *widget.Entry
	box           *fyne.Container
}

// filtersDir is the profile's filters directory.
func (c *controller) filtersDir() string { return filepath.Join(c.opts.Profile, "filters") }

// showFilters opens the Filters window on an account's script; like, when
// set, adds that rule to its forms (Filter messages like this).
func (c *controller) showFilters(acct string, like *filter.FormRule) *filtersWindow {
	if fw := c.filters; fw != nil {
		fw.win.RequestFocus()
		fw.load(acct, like)
		return fw
	}
	fw := &filtersWindow{c: c}
	fw.win = c.app.NewWindow(lang.L("Filters"))
	fw.win.SetContent(fw.build())
	fw.win.SetOnClosed(func() { c.filters = nil })
	fw.win.Resize(fyne.NewSize(960, 640))
	closeOnEscape(fw.win)
	c.filters = fw
	fw.win.Show()
	fw.load(acct, like)
	return fw
}

func (fw *filtersWindow) build() fyne.CanvasObject {
	fw.accounts = widget.NewSelect(fw.c.filterAccounts(), func(name string) {
		if name != fw.acct {
			fw.load(name, nil)
		}
	})
	fw.rulesBox = container.NewVBox()
	fw.handNote = hiddenLabel()
	add := widget.NewButtonWithIcon(lang.L("Add rule"), theme.ContentAddIcon(), func() {
		fw.addRule(filter.FormRule{Field: "From", Match: filter.MatchContains, Action: filter.ActMove})
	})
	fw.rulesTab = container.NewTabItem(lang.L("Rules"), container.NewBorder(fw.handNote, add, nil, nil, container.NewVScroll(fw.rulesBox)))
	fw.raw = widget.NewMultiLineEntry()
	fw.raw.TextStyle.Monospace = true
	fw.rawTab = container.NewTabItem(lang.L("Raw script"), fw.raw)
	fw.tabs = container.NewAppTabs(fw.rulesTab, fw.rawTab)
	fw.tabs.OnSelected = fw.tabChanged
	fw.status = wrapLabel()
	fw.try = newTryList()
	buttons := container.NewHBox(
		widget.NewButtonWithIcon(lang.L("Check"), theme.ConfirmIcon(), fw.check),
		widget.NewButtonWithIcon(lang.L("Try on this folder"), theme.SearchIcon(), fw.tryFolder),
		widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), fw.save))
	top := container.NewBorder(nil, nil, widget.NewLabel(lang.L("Account")), nil, fw.accounts)
	bottom := container.NewVBox(buttons, fw.status)
	split := container.NewVSplit(fw.tabs, fw.try.view())
	split.Offset = 0.45
	return container.NewBorder(top, bottom, nil, nil, split)
}

// filterAccounts are the accounts that may have a script: Local and the
// profile's.
func (c *controller) filterAccounts() []string {
	names := []string{filter.LocalAccount}
	if b := c.book(); b != nil {
		if list, err := b.List(); err == nil {
			for _, a := range list {
				names = append(names, a.Name)
			}
		}
	}
	return names
}

// load reads an account's script in the background and shows it.
func (fw *filtersWindow) load(acct string, like *filter.FormRule) {
	fw.acct = acct
	fw.accounts.SetSelected(acct)
	scripts := sieve.OpenScripts(fw.c.filtersDir())
	fw.c.work.bg(func(context.Context) func() {
		src, err := scripts.Read(acct)
		if errors.Is(err, fs.ErrNotExist) {
			src, err = nil, nil
		}
		return func() {
			if err != nil {
				fw.status.SetText(err.Error())
				return
			}
			fw.show(string(src), like)
		}
	})
}

// show puts a script in the tabs: as forms when the editor wrote it, else
// raw.
func (fw *filtersWindow) show(src string, like *filter.FormRule) {
	fw.raw.SetText(src)
	rules, ok := filter.ParseRules(src)
	fw.setRules(rules, ok)
	if like != nil && ok {
		fw.addRule(*like)
	}
	if ok {
		fw.tabs.Select(fw.rulesTab)
	} else {
		fw.tabs.Select(fw.rawTab)
	}
	fw.status.SetText("")
}

// setRules shows rules as forms, or (ok false) says the script is raw.
func (fw *filtersWindow) setRules(rules []filter.FormRule, ok bool) {
	fw.rules = nil
	fw.rulesBox.RemoveAll()
	if !ok {
		setText(fw.handNote, lang.L("This script was written by hand: edit it in the Raw script tab."))
		return
	}
	setText(fw.handNote, "")
	for _, r := range rules {
		fw.addRule(r)
	}
}

// addRule adds the form of a rule.
func (fw *filtersWindow) addRule(r filter.FormRule) {
	row := &ruleRow{
		field:  widget.NewSelectEntry(filter.Fields),
		match:  widget.NewSelect(filter.Matches, nil),
		value:  widget.NewEntry(),
		action: widget.NewSelect(filter.RuleActions, nil),
		arg:    widget.NewEntry(),
	}
	row.field.SetText(r.Field)
	row.match.SetSelected(r.Match)
	row.value.SetText(r.Value)
	row.value.SetPlaceHolder(lang.L("value"))
	row.action.SetSelected(r.Action)
	row.arg.SetText(r.Arg)
	row.arg.SetPlaceHolder(lang.L("folder, address or text"))
	var remove *widget.Button
	remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { fw.removeRule(row) })
	when := container.NewGridWithColumns(3, row.field, row.match, row.value)
	then := container.NewGridWithColumns(2, row.action, row.arg)
	row.box = container.NewBorder(nil, nil, widget.NewLabel(lang.L("When")), remove,
		container.NewGridWithColumns(2, when, container.NewBorder(nil, nil, widget.NewLabel(lang.L("then")), nil, then)))
	fw.rules = append(fw.rules, row)
	fw.rulesBox.Add(row.box)
}

func (fw *filtersWindow) removeRule(row *ruleRow) {
	for i, r := range fw.rules {
		if r == row {
			fw.rules = append(fw.rules[:i], fw.rules[i+1:]...)
			fw.rulesBox.Remove(row.box)
			return
		}
	}
}

func (r *ruleRow) rule() filter.FormRule {
	return filter.FormRule{Field: r.field.Text, Match: r.match.Selected, Value: r.value.Text,
		Action: r.action.Selected, Arg: r.arg.Text}
}

// formsActive reports whether the forms hold the script (not hand-written).
func (fw *filtersWindow) formsActive() bool { return !fw.handNote.Visible() }

// script is the script being edited: the forms written as Sieve on the
// Rules tab, the raw text on the other.
func (fw *filtersWindow) script() (string, error) {
	if fw.tabs.Selected() == fw.rawTab || !fw.formsActive() {
		return fw.raw.Text, nil
	}
	return fw.scriptOfForms()
}

// tabChanged carries the script across: the forms written into the raw
// tab, the raw text read back into forms when the editor can.
func (fw *filtersWindow) tabChanged(t *container.TabItem) {
	if t == fw.rawTab {
		if !fw.formsActive() {
			return
		}
		src, err := fw.scriptOfForms()
		if err != nil {
			fw.status.SetText(err.Error())
			return
		}
		fw.raw.SetText(src)
		return
	}
	rules, ok := filter.ParseRules(fw.raw.Text)
	fw.setRules(rules, ok)
}

func (fw *filtersWindow) scriptOfForms() (string, error) {
	rules := make([]filter.FormRule, len(fw.rules))
	for i, r := range fw.rules {
		rules[i] = r.rule()
	}
	return filter.Rules(rules)
}

// compiled is the script being edited, compiled for the account.
func (fw *filtersWindow) compiled() (*sieve.Script, error) {
	src, err := fw.script()
	if err != nil {
		return nil, err
	}
	return sieve.Compile(fw.acct+".sieve", []byte(src), filter.HostOf(fw.acct))
}

// prepare compiles the script being edited and gives the filters'
// options; on error it says so in the status line.
func (fw *filtersWindow) prepare() (*sieve.Script, filter.Options, bool) {
	s, err := fw.compiled()
	store := fw.c.opts.Store
	if err == nil && store == nil {
		err = errors.New("filters: no mail store")
	}
	if err != nil {
		fw.status.SetText(err.Error())
		return nil, filter.Options{}, false
	}
	return s, filter.Options{Store: store, Scripts: sieve.OpenScripts(fw.c.filtersDir())}, true
}

// check compiles the script and says so, or where it is wrong.
func (fw *filtersWindow) check() {
	if _, err := fw.compiled(); err != nil {
		fw.status.SetText(err.Error())
		return
	}
	fw.status.SetText(lang.L("The script is correct."))
}

// save installs the script: the account's new mail is filtered by it.
func (fw *filtersWindow) save() {
	s, opt, ok := fw.prepare()
	if !ok {
		return
	}
	acct := fw.acct
	fw.c.work.bg(func(ctx context.Context) func() {
		err := filter.Install(ctx, opt, acct, s.Source)
		return func() {
			if err != nil {
				fw.status.SetText(err.Error())
				return
			}
			fw.status.SetText(lang.L("Saved: the new mail of {{.Account}} is filtered by these rules.", map[string]any{"Account": acct}))
		}
	})
}

// filterLikeSelected opens the Filters window with a rule made from the
// selected message's headers (its list, else its sender).
func (c *controller) filterLikeSelected() {
	s, ok := c.selected()
	if !ok {
		return
	}
	c.work.bg(func(ctx context.Context) func() {
		rule, err := c.ruleLike(ctx, s.ID)
		return func() {
			if err != nil {
				c.showError(err)
				return
			}
			c.showFilters(s.Folder.Account, &rule)
		}
	})
}

func (c *controller) ruleLike(ctx context.Context, id int64) (filter.FormRule, error) {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return filter.FormRule{}, err
	}
	defer rc.Close()
	m, err := mail.ReadMessage(io.LimitReader(rc, 1<<20))
	if err != nil {
		return filter.FormRule{}, err
	}
	return filter.RuleLike(m.Header), nil
}
