package app

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"facteur/mailstore"
)

// settleTimeout bounds the wait for the store's answers before a capture.
const settleTimeout = 20 * time.Second

// The views Screenshot renders.
const (
	viewMain   = "main"   // INBOX with the course's example message open
	viewReader = "reader" // the reader alone, on a message with an attachment
	// the reader alone on the HTML newsletter: its remote content blocked
	viewReaderHTML = "reader-html"
	// the reader alone on the reply that ends the itinerary thread, the
	// reply before it expanded with its actions
	viewConversation = "conversation"
	// the reader alone on the demo's Outlook invitation, its card with
	// the answer buttons
	viewInvitation = "invitation"
	viewSearch     = "search" // results of a query typed in the search entry
	viewThread     = "thread" // INBOX in thread view
	viewAbout      = "about"  // the About box over the main window
	// the inspector window on the course's example, Route and DNS tabs; DNS
	// is never asked: the DNS tab shows the offline state
	viewInspector    = "inspector"
	viewInspectorDNS = "inspector-dns"
	// the Local MTA panel on a fixed state: no listener is opened
	viewMTA           = "mta"
	viewMTADeliveries = "mta-deliveries"
	viewMTASessions   = "mta-sessions"
	// the composer on a reply to the course's example, with a bad address
	// in Cc showing its reason
	viewComposer = "composer"
	// the account wizard on a fixed state: servers found, the certificate
	// of the incoming one not trusted (no network is used)
	viewWizard = "account-wizard"
	// the Accounts window on a fixed state (no network): an IMAP account
	// up to date with IDLE, a POP3 account whose last check failed; its
	// Status and Transcript tabs
	viewAccounts           = "accounts"
	viewAccountsSettings   = "accounts-settings"
	viewAccountsTranscript = "accounts-transcript"
	// the Filters window with a rule from the newsletter's list, and the
	// dry run of it on INBOX
	viewFilters    = "filters"
	viewFiltersTry = "filters-dryrun"
	// three messages selected in INBOX, their context menu open
	viewContextMenu = "context-menu"
)

// newsletterSubject starts the subject of the demo's HTML newsletter.
const newsletterSubject = "La Lettre du Facteur"

// invitationDemoSubject is the subject of the demo's invitation.
const invitationDemoSubject = "Bascule vers le MX secondaire"

// screenshotQuery is the query typed in the "search" view.
const screenshotQuery = "itineraire"

// Views lists the names Screenshot accepts.
func Views() []string {
	return []string{viewMain, viewReader, viewReaderHTML, viewConversation, viewInvitation, viewSearch, viewThread, viewAbout, viewInspector, viewInspectorDNS, viewMTA, viewMTADeliveries, viewMTASessions, viewComposer, viewWizard, viewAccounts, viewAccountsSettings, viewAccountsTranscript, viewFilters, viewFiltersTry, viewContextMenu}
}

// Screenshot renders a view of opts.Store with Fyne's test driver and software
// painter; no display is needed. It never changes the store (opening a message
// does not mark it read here) and never uses the network (the inspector
// does not ask DNS).
func Screenshot(opts Options, view string, size fyne.Size, dark bool) (image.Image, error) {
	if !slices.Contains(Views(), view) {
		return nil, fmt.Errorf("app: unknown view %q (want one of %s)", view, strings.Join(Views(), ", "))
	}
	if opts.Store == nil {
		return nil, errors.New("app: Screenshot needs a store")
	}
	opts.MTA = nil // never a listener: the "mta" view draws a fixed state
	loadTranslations()
	a := test.NewApp()
	mode := themeLight
	if dark {
		mode = themeDark
	}
	a.Settings().SetTheme(facteurTheme{mode: mode})
	w := a.NewWindow("Facteur")
	q := newUIQueue()
	c := newController(a, w, opts.Store, opts, q.post)
	defer c.close()
	defer w.Close()
	c.readOnly = true
	c.insp.noDNS = true
	w.Resize(size)
	c.start()
	if err := c.stage(view, q); err != nil {
		return nil, err
	}
	if p := c.mta.panel; p != nil {
		defer p.win.Close()
		p.win.Resize(size)
		return p.win.Canvas().Capture(), nil
	}
	if fw := c.filters; fw != nil {
		defer fw.win.Close()
		fw.win.Resize(size)
		return fw.win.Canvas().Capture(), nil
	}
	if aw := c.accts.win; aw != nil {
		defer aw.win.Close()
		aw.win.Resize(size)
		return aw.win.Canvas().Capture(), nil
	}
	if c.wiz != nil {
		defer c.wiz.win.Close()
		c.wiz.win.Resize(size)
		return c.wiz.win.Canvas().Capture(), nil
	}
	if len(c.compose.open) > 0 {
		cw := c.compose.open[0].win
		defer cw.Close()
		cw.Resize(size)
		return cw.Canvas().Capture(), nil
	}
	if iv := c.insp.view; iv != nil {
		defer iv.win.Close()
		iv.win.Resize(size)
		return iv.win.Canvas().Capture(), nil
	}
	return w.Canvas().Capture(), nil
}

// stage brings the window into the state of view.
func (c *controller) stage(view string, q *uiQueue) error {
	wait := func() error {
		if !settle(q, c.work, settleTimeout, nil) {
			return errors.New("app: the store did not answer in time")
		}
		return nil
	}
	if err := wait(); err != nil {
		return err
	}
	switch view {
	case viewSearch:
		c.ui.searchEntry.SetText(screenshotQuery)
	case viewThread:
		c.setThreaded(true)
	}
	if err := wait(); err != nil {
		return err
	}
	c.selectFor(view)
	if err := wait(); err != nil {
		return err
	}
	switch view {
	case viewReader, viewReaderHTML:
		c.win.SetContent(c.ui.readerPane)
	case viewConversation:
		c.win.SetContent(c.ui.readerPane)
		if v := c.ui.reader.conv; len(v.items) > 2 {
			v.items[len(v.items)-2].setExpanded(true) // the reply before the open message, with its actions
			c.ui.reader.relayout()
		}
	case viewInvitation:
		c.win.SetContent(c.ui.readerPane)
		c.ui.reader.invite.answers.Show() // hidden in a read-only window
		c.ui.reader.relayout()
	case viewAbout:
		c.showAbout()
	case viewInspector, viewInspectorDNS:
		return c.stageInspector(view, wait)
	case viewMTA, viewMTADeliveries, viewMTASessions:
		c.stageMTA(view)
	case viewComposer:
		return c.stageComposer(wait)
	case viewWizard:
		c.stageWizard()
	case viewAccounts, viewAccountsSettings, viewAccountsTranscript:
		c.stageAccounts(map[string]int{viewAccountsSettings: 1, viewAccountsTranscript: 2}[view])
	case viewFilters, viewFiltersTry:
		return c.stageFilters(view == viewFiltersTry, wait)
	case viewContextMenu:
		c.ui.list.Select(1)
		c.extendTo(3)
		if err := wait(); err != nil {
			return err
		}
		c.menuKey()
	}
	return nil
}

// selectFor opens the message a view shows.
func (c *controller) selectFor(view string) {
	want := func(s mailstore.Summary) bool {
		return strings.EqualFold(strings.TrimSpace(s.Subject), "test itineraire")
	}
	switch view {
	case viewReader:
		want = func(s mailstore.Summary) bool { return s.Attachment }
	case viewReaderHTML:
		want = func(s mailstore.Summary) bool { return strings.HasPrefix(s.Subject, newsletterSubject) }
	case viewConversation:
		want = func(s mailstore.Summary) bool { return s.Subject == "Re: Itinéraire d'un message" }
	case viewInvitation:
		want = func(s mailstore.Summary) bool { return s.Subject == invitationDemoSubject }
	}
	i := c.findRow(want)
	if i < 0 && c.rows.length() > 0 {
		i = 0
	}
	if i >= 0 {
		c.ui.list.Select(i)
	}
}

// findRow is the first loaded row that matches, or -1.
func (c *controller) findRow(match func(mailstore.Summary) bool) int {
	return c.rows.find(match)
}

// stageInspector opens the inspector on the selected message.
func (c *controller) stageInspector(view string, wait func() error) error {
	c.inspectSelected()
	if c.insp.view == nil {
		return errors.New("app: no message to inspect")
	}
	if err := wait(); err != nil {
		return err
	}
	if view == viewInspectorDNS {
		c.insp.view.tabs.SelectIndex(tabDNS)
	}
	return nil
}

// stageComposer answers the selected message and types a source route in Cc.
func (c *controller) stageComposer(wait func() error) error {
	c.composeFromSelected(composeReply)
	if err := wait(); err != nil {
		return err
	}
	if len(c.compose.open) == 0 {
		return errors.New("app: no message to answer")
	}
	cm := c.compose.open[0]
	cm.fields[1].entry.SetText("Marc <marc@machin.com>, <@relais.fr:paul@uvsq.fr>")
	return wait()
}
