package app

import (
	"runtime"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// The keyboard of the main window is one table, bindings: the letters and
// keys typed outside the search entry (the list and the tree forward
// theirs; the search entry keeps its letters), the Ctrl shortcuts bound on
// the canvas (the menu carries the same ones, which the desktop driver
// checks first), and Help > Keyboard shortcuts, which lists the table.

var (
	shortcutSearch = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutImport = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutQuit   = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	// shortcutCheck is shown in the menu; F5 does the same.
	shortcutCheck = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	shortcutNew   = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	// shortcutNewFolder makes a folder in the current folder's account.
	shortcutNewFolder = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	// shortcutReply is shown in the menu; the r key does the same.
	shortcutReply = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	// Ctrl+A and Ctrl+Z reach the canvas as Fyne's standard shortcuts
	// (stdShortcut); the focused search entry keeps them for its text.
	shortcutSelectAll = &desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutUndo      = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault}
)

// stdShortcut is the standard shortcut Fyne's drivers send for sc, or nil.
func stdShortcut(sc *desktop.CustomShortcut) fyne.Shortcut {
	switch sc {
	case shortcutSelectAll:
		return &fyne.ShortcutSelectAll{}
	case shortcutUndo:
		return &fyne.ShortcutUndo{}
	}
	return nil
}

// binding is one action of the keyboard and the keys that run it.
type binding struct {
	help      string // what it does
	label     string // the keys as the help writes them, when not generated
	runes     []rune
	keys      []fyne.KeyName
	shortcuts []*desktop.CustomShortcut
	// run does it; it reports false when the key has nothing to do now
	// (Escape outside a search), so that the widget may use it.
	run func(c *controller) bool
}

// always turns an action into a binding's run.
func always(fn func(c *controller)) func(c *controller) bool {
	return func(c *controller) bool { fn(c); return true }
}

// bindings is the keyboard of the main window, in the order of the help.
func bindings() []binding {
	return []binding{
		{help: lang.L("Next message"), runes: []rune{'j'}, keys: []fyne.KeyName{fyne.KeyDown}, run: always(func(c *controller) { c.stepOrExtend(1) })},
		{help: lang.L("Previous message"), runes: []rune{'k'}, keys: []fyne.KeyName{fyne.KeyUp}, run: always(func(c *controller) { c.stepOrExtend(-1) })},
		{help: lang.L("Extend the selection"), label: lang.L("Shift+↑, Shift+↓, Shift-click")},
		{help: lang.L("Add or remove a message"), label: lang.L("Ctrl-click")},
		{help: lang.L("Collapse the thread"), keys: []fyne.KeyName{fyne.KeyLeft}, run: func(c *controller) bool { return c.foldThread(true) }},
		{help: lang.L("Expand the thread"), keys: []fyne.KeyName{fyne.KeyRight}, run: func(c *controller) bool { return c.foldThread(false) }},
		{help: lang.L("Select all"), shortcuts: []*desktop.CustomShortcut{shortcutSelectAll}, run: always((*controller).selectAll)},
		{help: lang.L("Mark read or unread"), runes: []rune{'u'}, run: always((*controller).toggleRead)},
		{help: lang.L("Flag or unflag"), runes: []rune{'s', 'f'}, run: always((*controller).toggleFlag)},
		{help: lang.L("Move to the Trash"), keys: []fyne.KeyName{fyne.KeyDelete}, run: always((*controller).deleteSelected)},
		{help: lang.L("Reply"), runes: []rune{'r'}, shortcuts: []*desktop.CustomShortcut{shortcutReply},
			run: always(func(c *controller) { c.composeFromSelected(composeReply) })},
		{help: lang.L("Reply all"), runes: []rune{'a', 'R'},
			run: always(func(c *controller) { c.composeFromSelected(composeReplyAll) })},
		{help: lang.L("New message"), shortcuts: []*desktop.CustomShortcut{shortcutNew}, run: always((*controller).newMessage)},
		{help: lang.L("Context menu"), keys: []fyne.KeyName{desktop.KeyMenu, fyne.KeyF10}, label: lang.L("Menu, Shift+F10"), run: always((*controller).menuKey)},
		{help: lang.L("Undo"), shortcuts: []*desktop.CustomShortcut{shortcutUndo}, run: always((*controller).undoLast)},
		{help: lang.L("New folder"), shortcuts: []*desktop.CustomShortcut{shortcutNewFolder}, run: always((*controller).newFolderHere)},
		{help: lang.L("Inspect headers"), runes: []rune{'i'}, shortcuts: []*desktop.CustomShortcut{shortcutInspect}, run: always((*controller).inspectSelected)},
		{help: lang.L("Search"), runes: []rune{'/'}, shortcuts: []*desktop.CustomShortcut{shortcutSearch}, run: always((*controller).focusSearch)},
		{help: lang.L("Clear the search"), keys: []fyne.KeyName{fyne.KeyEscape}, run: func(c *controller) bool {
			if c.listing.kind != listSearch {
				return false
			}
			c.escapeSearch()
			return true
		}},
		{help: lang.L("Check mail"), keys: []fyne.KeyName{fyne.KeyF5}, shortcuts: []*desktop.CustomShortcut{shortcutCheck}, run: always((*controller).checkMail)},
		{help: lang.L("Import mail"), shortcuts: []*desktop.CustomShortcut{shortcutImport}, run: always((*controller).showImport)},
		{help: lang.L("Quit"), shortcuts: []*desktop.CustomShortcut{shortcutQuit}, run: always(func(c *controller) { c.app.Quit() })},
	}
}

// installShortcuts binds the keys of the table on the window's canvas.
func (c *controller) installShortcuts() {
	cv := c.win.Canvas()
	cv.SetOnTypedRune(func(r rune) { c.typedRune(r) })
	cv.SetOnTypedKey(func(e *fyne.KeyEvent) { c.typedKey(e) })
	for _, b := range bindings() {
		for _, sc := range b.shortcuts {
			cv.AddShortcut(sc, func(fyne.Shortcut) { b.run(c) })
			if std := stdShortcut(sc); std != nil {
				cv.AddShortcut(std, func(fyne.Shortcut) { b.run(c) })
			}
		}
	}
	c.win.SetOnDropped(c.dropped)
}

// typedRune handles a letter typed outside the search entry.
func (c *controller) typedRune(r rune) bool {
	for _, b := range bindings() {
		if slices.Contains(b.runes, r) {
			return b.run(c)
		}
	}
	return false
}

// typedKey handles a key typed outside the search entry.
func (c *controller) typedKey(e *fyne.KeyEvent) bool {
	if e.Name == fyne.KeyF10 && c.modifiers()&fyne.KeyModifierShift == 0 {
		return false // F10 alone is the desktop's
	}
	for _, b := range bindings() {
		if slices.Contains(b.keys, e.Name) {
			return b.run(c)
		}
	}
	return false
}

// keysText is how the help writes the keys of a binding: "j, ↓",
// "r, Ctrl+R".
func (b binding) keysText() string {
	if b.label != "" {
		return b.label
	}
	var parts []string
	for _, r := range b.runes {
		parts = append(parts, string(r))
	}
	for _, k := range b.keys {
		parts = append(parts, keyName(k))
	}
	for _, sc := range b.shortcuts {
		parts = append(parts, shortcutText(sc))
	}
	return strings.Join(parts, ", ")
}

func keyName(k fyne.KeyName) string {
	switch k {
	case fyne.KeyDown:
		return "↓"
	case fyne.KeyUp:
		return "↑"
	case fyne.KeyLeft:
		return "←"
	case fyne.KeyRight:
		return "→"
	case fyne.KeyDelete:
		return lang.L("Delete")
	case fyne.KeyEscape:
		return lang.L("Escape")
	}
	return string(k)
}

// shortcutText writes a shortcut as the menus do: Ctrl+Shift+R (⌘ on macOS).
func shortcutText(sc *desktop.CustomShortcut) string {
	var b strings.Builder
	if sc.Modifier&(fyne.KeyModifierShortcutDefault) != 0 {
		if runtime.GOOS == "darwin" {
			b.WriteString("⌘")
		} else {
			b.WriteString("Ctrl+")
		}
	}
	if sc.Modifier&fyne.KeyModifierShift != 0 {
		b.WriteString("Shift+")
	}
	b.WriteString(string(sc.KeyName))
	return b.String()
}

// keysGrid is the help's table: the keys, and what they do.
func keysGrid() *fyne.Container {
	grid := container.New(layout.NewFormLayout())
	for _, b := range bindings() {
		k := widget.NewLabel(b.keysText())
		k.TextStyle.Bold = true
		grid.Add(k)
		grid.Add(widget.NewLabel(b.help))
	}
	return grid
}

// showKeys lists the keyboard shortcuts (Help > Keyboard shortcuts).
func (c *controller) showKeys() {
	dialog.ShowCustom(lang.L("Keyboard shortcuts"), lang.L("Close"), keysGrid(), c.win)
}
