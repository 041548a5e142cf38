package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/filter"
)

// The dry run of the Filters window: the script being edited, run on the
// messages of a folder (the one the main window shows when it is the
// account's, else its INBOX), newest first, changing nothing; one line a
// message: the message, the rule that matched and on what, the actions.

// tryLimit bounds the messages of a dry run.
const tryLimit = 500

// tryRow is one message of the dry run.
type tryRow struct {
	message, rule, actions string
}

// tryList shows the dry run; it belongs to the UI goroutine.
type tryList struct {
	rows  []tryRow
	title *widget.Label
	list  *widget.List
}

func newTryList() *tryList {
	t := &tryList{title: widget.NewLabel(lang.L("Try the rules on a folder: nothing is changed."))}
	t.list = widget.NewList(func() int { return len(t.rows) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(3, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			cells := o.(*fyne.Container).Objects
			r := t.rows[i]
			for j, text := range []string{r.message, r.rule, r.actions} {
				l := cells[j].(*widget.Label)
				l.Truncation = fyne.TextTruncateEllipsis
				l.SetText(text)
			}
		})
	return t
}

func (t *tryList) view() fyne.CanvasObject {
	head := container.NewGridWithColumns(3, widget.NewLabel(lang.L("Message")), widget.NewLabel(lang.L("Matching rule")), widget.NewLabel(lang.L("Action")))
	return container.NewBorder(container.NewVBox(t.title, head), nil, nil, nil, t.list)
}

func (t *tryList) set(title string, rows []tryRow) {
	t.title.SetText(title)
	t.rows = rows
	t.list.Refresh()
}

// tryRowOf sums up the dry run of one message.
func tryRowOf(r filter.Report) tryRow {
	row := tryRow{message: r.Message.Subject}
	if len(r.Message.From) > 0 {
		row.message = senderName(r.Message.From[0]) + " — " + r.Message.Subject
	}
	if r.Explain == nil {
		row.actions = fmt.Sprint(r.Err)
		return row
	}
	var rules, acts []string
	for _, rule := range r.Explain.Rules {
		if rule.Test == "" {
			continue
		}
		on := make([]string, len(rule.Matched))
		for i, m := range rule.Matched {
			on[i] = m.String()
		}
		if len(on) == 0 { // allof, not...: the rule as written
			rules = append(rules, rule.String())
			continue
		}
		rules = append(rules, fmt.Sprintf("line %d: %s", rule.Line, strings.Join(on, ", ")))
	}
	for _, a := range r.Explain.Actions {
		acts = append(acts, a.String())
	}
	if r.Err != nil {
		acts = append(acts, r.Err.Error())
	}
	if r.HeaderOnly != nil {
		acts = append(acts, lang.L("body not downloaded: its tests saw the header only"))
	}
	row.rule, row.actions = strings.Join(rules, "; "), strings.Join(acts, "; ")
	if row.rule == "" {
		row.rule = lang.L("no rule")
	}
	return row
}

// tryFolder runs the dry run in the background and lists it.
func (fw *filtersWindow) tryFolder() {
	s, opt, ok := fw.prepare()
	if !ok {
		return
	}
	folder := filter.Inbox
	if fw.c.current.Account == fw.acct && fw.c.current.Name != "" {
		folder = fw.c.current.Name
	}
	acct := fw.c.accountNamed(fw.acct)
	m, err := fw.c.mailer()
	readOnly := fw.c.readOnly
	fw.c.work.bg(func(ctx context.Context) func() {
		var rows []tryRow
		add := func(r filter.Report) { rows = append(rows, tryRowOf(r)) }
		switch {
		case err != nil:
		case readOnly: // Screenshot: no body is downloaded into the store
			err = filter.Explain(ctx, opt, acct, folder, s, tryLimit, nil, add)
		default: // as `facteur filter test`: the bodies the script needs are fetched
			err = m.DryRun(ctx, acct, folder, s, tryLimit, add)
		}
		return func() {
			if err != nil {
				fw.status.SetText(err.Error())
				return
			}
			fw.try.set(lang.L("Dry run on {{.Folder}}: {{.Count}} messages, nothing changed.",
				map[string]any{"Folder": acct.Name + "/" + folder, "Count": len(rows)}), rows)
		}
	})
}

// accountNamed is the profile's account of that name (its addresses serve
// the envelope of the dry run), or just the name (Local).
func (c *controller) accountNamed(name string) account.Account {
	if b := c.book(); b != nil {
		if list, err := b.List(); err == nil {
			for _, a := range list {
				if a.Name == name {
					return a
				}
			}
		}
	}
	return account.Account{Name: name}
}

// stageFilters opens the Filters window as "Filter messages like this"
// does on the demo's newsletter, and with try its dry run on INBOX
// (Screenshot).
func (c *controller) stageFilters(try bool, wait func() error) error {
	i := c.findRow(func(s mailstore.Summary) bool { return strings.HasPrefix(s.Subject, "La Lettre du Facteur") })
	if i < 0 {
		return errors.New("app: no newsletter to filter")
	}
	c.ui.list.Select(i)
	if err := wait(); err != nil {
		return err
	}
	c.filterLikeSelected()
	if err := wait(); err != nil {
		return err
	}
	if c.filters == nil {
		return errors.New("app: the Filters window did not open")
	}
	if try {
		c.filters.tryFolder()
	}
	return wait()
}
