package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"facteur/mua/filter"
)

// menuItems are the main menu and the items whose check marks follow the state.
type menuItems struct {
	main    *fyne.MainMenu
	threads *fyne.MenuItem
	sorts   []*fyne.MenuItem
	themes  map[themeMode]*fyne.MenuItem
}

// buildMenu makes File, Folder, View, Mail system, Compose and Help.
func (c *controller) buildMenu() *fyne.MainMenu {
	m := &menuItems{themes: map[themeMode]*fyne.MenuItem{}}
	c.ui.menu = m
	m.main = fyne.NewMainMenu(c.fileMenu(), c.folderMenu(), c.viewMenu(m), c.mailSystemMenu(), c.composeMenu(), c.helpMenu())
	return m.main
}

func (c *controller) fileMenu() *fyne.Menu {
	newMsg := fyne.NewMenuItem(lang.L("New message"), c.newMessage)
	newMsg.Shortcut = shortcutNew
	addAcct := fyne.NewMenuItem(lang.L("Add account…"), func() { c.showWizard() })
	accts := fyne.NewMenuItem(lang.L("Accounts…"), func() { c.showAccounts() })
	filters := fyne.NewMenuItem(lang.L("Filters…"), func() { c.showFilters(filter.LocalAccount, nil) })
	check := fyne.NewMenuItem(lang.L("Check mail"), c.checkMail)
	check.Shortcut = shortcutCheck
	imp := fyne.NewMenuItem(lang.L("Import mbox or .eml file…"), c.showImport)
	imp.Shortcut = shortcutImport
	dir := fyne.NewMenuItem(lang.L("Import Maildir folder…"), c.showImportFolder)
	exp := fyne.NewMenuItem(lang.L("Export folder as mbox…"), c.showExport)
	quit := fyne.NewMenuItem(lang.L("Quit"), func() { c.app.Quit() })
	quit.IsQuit = true
	quit.Shortcut = shortcutQuit
	return fyne.NewMenu(lang.L("File"), newMsg, check, addAcct, accts, filters, fyne.NewMenuItemSeparator(), imp, dir, exp, fyne.NewMenuItemSeparator(), quit)
}

func (c *controller) viewMenu(m *menuItems) *fyne.Menu {
	m.threads = fyne.NewMenuItem(lang.L("Thread view"), func() { c.setThreaded(!c.listOpts.Threaded) })
	m.threads.Checked = c.listOpts.Threaded
	search := fyne.NewMenuItem(lang.L("Search"), c.focusSearch)
	search.Shortcut = shortcutSearch
	inspectItem := fyne.NewMenuItem(lang.L("Inspect headers"), c.inspectSelected)
	inspectItem.Shortcut = shortcutInspect
	var sorts []*fyne.MenuItem
	for i, ch := range sortChoices() {
		item := fyne.NewMenuItem(ch.label, func() { c.setSort(i) })
		item.Checked = i == c.sortIndex()
		sorts = append(sorts, item)
	}
	m.sorts = sorts
	sortBy := fyne.NewMenuItem(lang.L("Sort by"), nil)
	sortBy.ChildMenu = fyne.NewMenu("", sorts...)
	themeItem := fyne.NewMenuItem(lang.L("Theme"), nil)
	themeItem.ChildMenu = fyne.NewMenu("", c.themeItems(m)...)
	notify := fyne.NewMenuItem(lang.L("Notify of new mail"), nil)
	notify.Checked = c.settings.Bool(prefNotify, true)
	notify.Action = func() {
		notify.Checked = !notify.Checked
		c.settings.SetBool(prefNotify, notify.Checked)
		m.main.Refresh()
	}
	unsub := fyne.NewMenuItem(lang.L("Unsubscribed folders"), nil)
	unsub.Checked = c.showUnsubscribed()
	unsub.Action = func() {
		unsub.Checked = !unsub.Checked
		c.settings.SetBool(prefUnsubscribed, unsub.Checked)
		m.main.Refresh()
		c.loadFolders(false)
	}
	return fyne.NewMenu(lang.L("View"), m.threads, sortBy, fyne.NewMenuItemSeparator(),
		search, inspectItem, fyne.NewMenuItemSeparator(), themeItem, notify, unsub)
}

func (c *controller) themeItems(m *menuItems) []*fyne.MenuItem {
	modes := []struct {
		mode  themeMode
		label string
	}{
		{themeSystem, lang.L("Follow the system")},
		{themeLight, lang.L("Light")},
		{themeDark, lang.L("Dark")},
	}
	current := savedTheme(c.settings)
	var items []*fyne.MenuItem
	for _, md := range modes {
		item := fyne.NewMenuItem(md.label, func() { c.setTheme(md.mode) })
		item.Checked = md.mode == current
		m.themes[md.mode] = item
		items = append(items, item)
	}
	return items
}

func (c *controller) helpMenu() *fyne.Menu {
	keys := fyne.NewMenuItem(lang.L("Keyboard shortcuts"), c.showKeys)
	about := fyne.NewMenuItem(lang.L("About Facteur"), c.showAbout)
	return fyne.NewMenu(lang.L("Help"), keys, about)
}

func (m *menuItems) syncSort(i int) {
	for j, item := range m.sorts {
		item.Checked = j == i
	}
	m.main.Refresh()
}

func (m *menuItems) syncThreads(on bool) {
	m.threads.Checked = on
	m.main.Refresh()
}

func (m *menuItems) syncTheme(mode themeMode) {
	for md, item := range m.themes {
		item.Checked = md == mode
	}
	m.main.Refresh()
}
