// Package app is Facteur's desktop GUI, drawn with Fyne: the three-pane reading
// window (accounts and folders, the message list, the reader), search as you
// type, actions and shortcuts, import and export with progress, the header
// inspector window (inspector*.go), and Screenshot, which renders a view with
// Fyne's software driver for `facteur screenshot`.
//
// It holds no protocol or file-format code: it draws values from mailstore,
// internal/message and mua/inspect and calls their methods. Only the UI goroutine touches
// widgets; store calls run in goroutines that hand their results back through
// fyne.Do (see worker.go).
package app

import (
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"facteur/icons"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/autoconfig"
	"facteur/mua/compose"
	"facteur/mua/mailer"
	"facteur/mua/oauth"
)

// appID is the reverse-DNS identifier of FyneApp.toml (preferences live under it).
const appID = "org.facteur.Facteur"

// Options configure the GUI.
type Options struct {
	Profile string           // profile directory, shown in About; opened when Store is nil
	Store   *mailstore.Store // the open store of the profile, which the window and its mailer use
	Version string           // Facteur's version, shown in About
	// DNSServer is the DNS server the inspector asks ("host:port"); "" means
	// the system's resolver.
	DNSServer string
	// MTA, when set, starts the mail system with the window (see
	// MTAOptions); it stops when the window closes.
	MTA *MTAOptions
	// LocalAddress is the Local account's address (login@localhost), the
	// composer's first identity; "" means MTA.LocalAddress.
	LocalAddress string
	// Compose, when set, opens a composer on it with the window (a mailto:
	// link).
	Compose *compose.Draft
	// Mailer, when set, is the profile's mailer (mua/mailer, on Profile and
	// Store) that the caller opened, and closes after Run: the window's
	// actions, composer, Accounts window and background checks go
	// through it, so that the MTA's outbox built on it (MTA.Load) and the
	// window share one sync state, one set of secrets and one watcher.
	// nil: the window opens its own and closes it.
	Mailer *mailer.Mailer

	settings *settings // opened by Run before the window, for its theme
}

// mailStore is the part of *mailstore.Store the window reads and writes
// outside the use cases of its mailer (which works on Options.Store);
// tests wrap it to hold or fail its reads.
type mailStore interface {
	Folders(ctx context.Context) ([]mailstore.Folder, error)
	CreateFolder(ctx context.Context, ref mailstore.FolderRef, role mailstore.Role) error
	Count(ctx context.Context, folder mailstore.FolderRef) (total, unread int, err error)
	ListLength(ctx context.Context, folder mailstore.FolderRef, opt mailstore.ListOptions) (int, error)
	List(ctx context.Context, folder mailstore.FolderRef, opt mailstore.ListOptions) ([]mailstore.Summary, error)
	ListVirtual(ctx context.Context, v mailstore.Virtual, opt mailstore.ListOptions) ([]mailstore.Summary, error)
	CountVirtual(ctx context.Context, v mailstore.Virtual) (total, unread int, err error)
	Search(ctx context.Context, query string, opt mailstore.SearchOptions) ([]mailstore.Summary, error)
	Get(ctx context.Context, id int64) (mailstore.Summary, error)
	Conversation(ctx context.Context, id int64) ([]mailstore.Summary, error)
	Open(ctx context.Context, id int64) (io.ReadCloser, error)
	SetFlags(ctx context.Context, ids []int64, add, remove mailstore.Flags) error
	Move(ctx context.Context, ids []int64, dest mailstore.FolderRef) error
	Delete(ctx context.Context, ids []int64) error
	ExportMbox(ctx context.Context, folder mailstore.FolderRef, w io.Writer) (int, error)
	Subscribe(ctx context.Context) <-chan mailstore.Change
	Add(ctx context.Context, folder mailstore.FolderRef, r io.Reader, opt mailstore.AddOptions) (mailstore.Summary, error)
	Purge(ctx context.Context, ids []int64) error
	Answer(ctx context.Context, account, uid string) (mailstore.Answer, bool, error)
	SetAnswer(ctx context.Context, account, uid string, a mailstore.Answer) error
}

var _ mailStore = (*mailstore.Store)(nil)

// Run opens the main window and blocks until it is closed.
func Run(opts Options) error {
	loadTranslations()
	ctx := context.Background()
	s := opts.Store
	if s == nil {
		if opts.Profile == "" {
			return errors.New("app: no store and no profile directory")
		}
		opened, err := mailstore.Open(ctx, opts.Profile)
		if err != nil {
			return err
		}
		defer opened.Close()
		s = opened
	}
	a := fyneapp.NewWithID(appID)
	a.SetIcon(icons.App)
	set, setErr := openSettings(opts.Profile, a.Preferences())
	opts.settings = set
	a.Settings().SetTheme(facteurTheme{mode: savedTheme(set)})
	w := a.NewWindow("Facteur")
	c := newController(a, w, s, opts, fyne.Do)
	defer c.close()
	if setErr != nil {
		c.showError(setErr)
	}
	c.start()
	if desk, ok := a.(desktop.App); ok && trayHost(ctx) {
		c.useTray(desk) // before the event loop: see tray.go
	}
	stop := quitOnSignal(a)
	defer stop()
	w.Resize(fyne.NewSize(1200, 760))
	w.ShowAndRun()
	return nil
}

// quitOnSignal quits the app on SIGTERM or SIGINT, as File > Quit does, from
// before the window shows: Fyne's own handler is installed only once its
// loop runs: a SIGINT that came earlier was lost (main catches it), a
// SIGTERM killed the process.
func quitOnSignal(a fyne.App) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			fyne.Do(a.Quit)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// controller holds the state of one main window. Its fields are read and
// written on the UI goroutine only.
type controller struct {
	app   fyne.App
	win   fyne.Window
	store mailStore
	opts  Options
	// settings are the window's preferences, kept in the profile.
	settings *settings
	ctx      context.Context
	cancel   context.CancelFunc
	work     *worker
	now      func() time.Time
	// readOnly keeps the store as it is: opening a message does not mark it
	// read (Screenshot).
	readOnly bool

	folders  []mailstore.Folder
	current  mailstore.FolderRef // folder shown (when not searching)
	virt     virtualState        // the virtual folder shown instead, and the counts
	listOpts mailstore.ListOptions
	rows     *pageCache
	listing  rowSource // what the list shows
	listGen  int       // bumped by each startListing: older results are dropped
	loading  bool      // a new listing is on its way
	listErr  error     // last load error, shown as the empty state

	selID     int64 // message shown in the reader, 0 for none
	wantIndex int   // row to open once its page arrives, -1 for none
	quiet     bool  // selection changes made by code, not by the user
	sel       selectionState
	drag      dragState // messages dragged toward the folder tree
	note      noticeState

	search    searchState
	refresher refreshState
	insp      inspectorState
	mta       mtaState
	compose   composeState
	check     checkState
	accts     accountsState
	wiz       *wizard // the Add account window, nil when closed
	// newDiscoverer, when set, replaces the wizard's autoconfig (tests).
	newDiscoverer func() *autoconfig.Discoverer
	credsBackend  account.Backend // BackendAuto; tests keep passwords in a file
	// oauthDetect, when set, replaces oauth.Detect (tests: a provider on
	// loopback); openURL, when set, replaces the app's OpenURL (tests: a
	// browser that follows the redirects).
	oauthDetect func(address string, hosts ...string) (oauth.Provider, bool)
	openURL     func(*url.URL) error
	// lastOutcome is what the last send did, as the user was told.
	lastOutcome string

	ui widgets

	filters *filtersWindow // the Filters window, nil when closed
}

// widgets are the long-lived widgets of the main window.
type widgets struct {
	tree        *keyTree
	list        *keyList
	listEmpty   *emptyState
	searchEntry *searchEntry
	sortSelect  *widget.Select
	resultCount *widget.Label // the number of results while searching
	// listControls holds the count, the sort and the Threads check
	listControls *fyne.Container
	noticeLayer  *fyne.Container // over the panes: the notice
	threadCheck  *widget.Check
	msgMenu      *widget.PopUpMenu // the last context menu of the messages
	msgItems     *fyne.Menu        // its items
	folderMenu   *widget.PopUpMenu // the last menu of a folder
	folderItems  *fyne.Menu        // its items
	reader       *readerView
	readerPane   fyne.CanvasObject
	menu         *menuItems
	split        *container.Split
	bars         []*foldBar           // the toolbars that fold
	panes        [3]fyne.CanvasObject // folders, list, reader
}

func newController(a fyne.App, w fyne.Window, s mailStore, opts Options, post func(func())) *controller {
	ctx, cancel := context.WithCancel(context.Background())
	if opts.Store == nil { // the store the mailer works on
		opts.Store, _ = s.(*mailstore.Store)
	}
	c := &controller{
		app: a, win: w, store: s, opts: opts,
		ctx: ctx, cancel: cancel,
		now:       time.Now,
		rows:      newPageCache(),
		wantIndex: -1,
	}
	c.sel.mods = driverModifiers(a)
	if c.settings = opts.settings; c.settings == nil {
		c.settings, _ = openSettings(opts.Profile, a.Preferences())
	}
	c.settings.onError = func(err error) { post(func() { c.showError(err) }) }
	c.listOpts.Threaded = c.settings.Bool(prefThreads, false) // kept across restarts
	c.listOpts.Collapsed = savedCollapsed(c.settings)
	c.work = newWorker(ctx, post)
	c.work.onPanic = c.showError
	w.SetContent(c.build())
	w.SetMainMenu(c.buildMenu())
	c.installShortcuts()
	return c
}

// build lays out the three panes in resizable splits.
func (c *controller) build() fyne.CanvasObject {
	list := container.New(paneMin{listPaneMin}, c.buildList())
	reader := container.New(paneMin{readerPaneMin}, c.buildReader())
	inner := container.NewHSplit(list, reader)
	inner.Offset = 0.42
	folders := container.New(paneMin{folderPaneMin},
		container.NewBorder(c.buildCheckMail(), c.buildMTAIndicator(), nil, nil, c.buildFolders()))
	outer := container.NewHSplit(folders, inner)
	c.ui.panes = [3]fyne.CanvasObject{folders, list, reader}
	outer.Offset = 0.2
	c.ui.split = outer
	return container.NewStack(outer, c.buildNotice(), c.buildDragLayer())
}

// start loads the folders, opens the inbox and follows the store's changes.
func (c *controller) start() {
	c.loadFolders(true)
	c.subscribe()
	c.startMTA()
	c.startAccounts()
	if d := c.opts.Compose; d != nil {
		c.openComposer(*d, 0)
	}
}

// close ends the background work of the window, once Fyne's event loop has
// ended (Quit, Ctrl+Q, SIGTERM or SIGINT, the last window closed) or in a
// test's cleanup. What the background hands back from now on is run here,
// on the goroutine that closes: the drafts typed since their last autosave
// are saved first, then the accounts' checks and the MTA stop.
func (c *controller) close() {
	c.mta.tray = nil // Fyne closed the tray's D-Bus connection with the loop
	q := newUIQueue()
	c.work.repost(q.post)
	c.flushDrafts(q)
	c.cancel()
	c.stopMTA()
	c.stopAccounts()
}

// showError shows err in a dialog.
func (c *controller) showError(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	dialog.ShowError(err, c.win)
}

// storeFailed reports a failed store call: a dialog, then everything is
// reloaded from the store, undoing the optimistic change that was shown.
func (c *controller) storeFailed(err error) {
	c.showError(errors.Join(errors.New(lang.L("The mailbox could not be changed.")), err))
	c.loadFolders(false)
	c.reloadList(true)
}
