package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
)

func TestOpenFolderListsItsMessages(t *testing.T) {
	h := newHarness(t)
	total, unread, err := h.store.Count(context.Background(), inboxRef)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.c.ui.list.Length(); got != total {
		t.Fatalf("the list has %d rows, the inbox %d messages", got, total)
	}
	r := h.row("test itineraire")
	if r.sender.Text != "Christian CALECA" {
		t.Errorf("sender of the course example = %q, want Christian CALECA", r.sender.Text)
	}
	if r.date.Text != "2000-05-11" {
		t.Errorf("date of the course example = %q, want 2000-05-11", r.date.Text)
	}
	inbox := h.treeRow("Inbox")
	if unread == 0 || inbox.count.Text != formatCount(unread) {
		t.Errorf("the tree shows %q unread in the inbox, the store %d", inbox.count.Text, unread)
	}
	if !strings.HasPrefix(h.w.Title(), "Inbox") {
		t.Errorf("window title %q does not name the inbox", h.w.Title())
	}

	h.c.ui.tree.Select(folderUID(mailstore.FolderRef{Account: "Local", Name: "Sent"}))
	h.settle()
	if h.c.current.Name != "Sent" {
		t.Fatalf("clicking Sent opened %v", h.c.current)
	}
	if h.c.ui.list.Length() != h.folder("Sent").Total {
		t.Errorf("Sent lists %d rows, has %d messages", h.c.ui.list.Length(), h.folder("Sent").Total)
	}
	if r := h.rowContaining("Itinéraire"); !strings.Contains(r.sender.Text, "Fred") {
		t.Errorf("a row of Sent shows %q: want the recipient (Fred)", r.sender.Text)
	}
}

func TestEmptyFolderSaysSo(t *testing.T) {
	h := newHarness(t)
	ref := mailstore.FolderRef{Account: "Local", Name: "Empty"}
	if err := h.store.CreateFolder(context.Background(), ref, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	h.c.openFolder(ref)
	h.settle()
	if !h.c.ui.listEmpty.Visible() || h.c.ui.listEmpty.Text != "This folder is empty" {
		t.Fatalf("empty folder: empty state %q visible=%v", h.c.ui.listEmpty.Text, h.c.ui.listEmpty.Visible())
	}
	if h.c.ui.reader.empty.Text != "No message selected" {
		t.Errorf("reader empty state = %q", h.c.ui.reader.empty.Text)
	}
}

func TestSelectMessageShowsItInTheReader(t *testing.T) {
	h := newHarness(t)
	h.open("test itineraire")
	r := h.c.ui.reader
	if r.subject.Text != "test itineraire" {
		t.Errorf("reader subject = %q", r.subject.Text)
	}
	if !strings.Contains(r.from.Text, "Christian CALECA") || !strings.Contains(r.from.Text, "christian.caleca@w-n-doo.fr") {
		t.Errorf("reader From = %q", r.from.Text)
	}
	if r.to.Text != "eme13@enprovence.com" {
		t.Errorf("reader To = %q", r.to.Text)
	}
	if r.cc.Visible() {
		t.Errorf("an empty Cc is shown: %q", r.cc.Text)
	}
	if !strings.Contains(r.body.Text, "Test d'itineraire.") {
		t.Errorf("reader body = %q", r.body.Text)
	}
	if !strings.Contains(r.date.Text, "2000") {
		t.Errorf("reader date = %q", r.date.Text)
	}
	if r.attachmentsBlock.Visible() || r.linksBlock.Visible() {
		t.Error("a plain message shows attachments or links")
	}
}

func TestReaderShowsAttachmentsAndRendersHTML(t *testing.T) {
	h := newHarness(t)
	h.open("Table de transport pour le relais")
	r := h.c.ui.reader
	if !r.attachmentsBlock.Visible() || len(r.attachments.Objects) == 0 {
		t.Fatal("the attachment is not listed")
	}
	if r.msg == nil || len(r.msg.Attachments) == 0 {
		t.Fatal("the parsed message has no attachment")
	}
	p := r.msg.Attachments[0]
	var b strings.Builder
	if err := h.c.copyPart(context.Background(), r.sum.ID, p.Path, &b); err != nil {
		t.Fatal(err)
	}
	if int64(b.Len()) != p.Size || b.Len() == 0 {
		t.Errorf("saved %d bytes, the part has %d", b.Len(), p.Size)
	}

	h.open(h.c.rows.pages[0][h.c.rows.find(func(s mailstore.Summary) bool {
		return strings.HasPrefix(s.Subject, "La Lettre du Facteur")
	})].Subject)
	if !r.remote.box.Visible() || !strings.Contains(r.remote.text.Text, "remote image") {
		t.Errorf("an HTML message has no bar on its remote content: %q", r.remote.text.Text)
	}
	links := 0
	for _, s := range segments(r.rich) {
		if _, ok := s.(*widget.HyperlinkSegment); ok {
			links++
		}
	}
	if !r.rich.Visible() || links == 0 || r.linksBlock.Visible() {
		t.Errorf("the HTML message is not rendered with its links in the text (%d links)", links)
	}
	if text := segmentText(segments(r.rich)); strings.Contains(text, "<") && strings.Contains(text, "</") {
		t.Errorf("the body shows HTML tags: %q", text)
	}
}

func TestViewSourceShowsTheRawMessage(t *testing.T) {
	h := newHarness(t)
	h.open("test itineraire")
	before := len(fyne.CurrentApp().Driver().AllWindows())
	h.c.showSource()
	h.settle()
	wins := fyne.CurrentApp().Driver().AllWindows()
	if len(wins) != before+1 {
		t.Fatalf("View source opened %d windows", len(wins)-before)
	}
	src := wins[len(wins)-1]
	var text string
	walk(src.Content(), func(o fyne.CanvasObject) {
		if v, ok := o.(*rawView); ok {
			text = v.Text
			if !v.TextStyle.Monospace {
				t.Error("the source is not monospace")
			}
		}
	})
	if !strings.Contains(text, "Received: from mahonia.w-n-doo.fr") {
		t.Errorf("source window shows %q", text)
	}
	src.Close()
}

func TestShortcutsMoveTheSelection(t *testing.T) {
	h := newHarness(t)
	h.c.ui.list.Select(0)
	h.settle()
	first := h.c.ui.reader.sum
	test.TypeOnCanvas(h.w.Canvas(), "j")
	h.settle()
	second := h.c.ui.reader.sum
	if second.ID == first.ID || h.c.selectedIndex() != 1 {
		t.Fatalf("j did not open the next message (index %d)", h.c.selectedIndex())
	}
	if want, _, _ := h.c.rows.row(1); want.ID != second.ID {
		t.Errorf("j opened %q, row 1 is %q", second.Subject, want.Subject)
	}
	test.TypeOnCanvas(h.w.Canvas(), "k")
	h.settle()
	if h.c.ui.reader.sum.ID != first.ID {
		t.Errorf("k did not come back to the first message")
	}

	// With the focus on the list, Down and j still open messages.
	h.w.Canvas().Focus(h.c.ui.list)
	h.c.ui.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	h.settle()
	if h.c.selectedIndex() != 1 || h.c.ui.reader.sum.ID != second.ID {
		t.Errorf("Down on the focused list: index %d", h.c.selectedIndex())
	}
	h.c.ui.list.TypedRune('k')
	h.settle()
	if h.c.selectedIndex() != 0 {
		t.Errorf("k on the focused list: index %d", h.c.selectedIndex())
	}
	h.c.ui.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	h.settle()
	if h.c.selectedIndex() != 0 {
		t.Errorf("Up on the first message moved to %d", h.c.selectedIndex())
	}
}

func TestCtrlFFocusesSearch(t *testing.T) {
	h := newHarness(t)
	sc, ok := h.w.Canvas().(fyne.Shortcutable)
	if !ok {
		t.Skip("the test canvas does not take shortcuts")
	}
	sc.TypedShortcut(shortcutSearch)
	if h.w.Canvas().Focused() != h.c.ui.searchEntry {
		t.Fatalf("Ctrl+F focused %T", h.w.Canvas().Focused())
	}
	if item := h.menuItemOf("View", "Search"); item == nil || item.Shortcut != shortcutSearch {
		t.Errorf("View > Search does not carry Ctrl+F")
	}
}

// mainMenu is the window's menu of that label, nil without one.
func (h *harness) mainMenu(label string) *fyne.Menu {
	for _, m := range h.c.ui.menu.main.Items {
		if m.Label == label {
			return m
		}
	}
	return nil
}

// menuItemOf is the item of that label in the window's menu of label menu, nil
// without one.
func (h *harness) menuItemOf(menu, label string) *fyne.MenuItem {
	if m := h.mainMenu(menu); m != nil {
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	return nil
}

func TestThreadViewIndentsReplies(t *testing.T) {
	h := newHarness(t)
	h.c.setThreaded(true)
	h.settle()
	if !h.c.ui.threadCheck.Checked || !h.c.ui.menu.threads.Checked {
		t.Error("the thread check box or menu item is not checked")
	}
	reply := h.row("Re: Itinéraire d'un message")
	if reply.depth == 0 {
		t.Fatal("a reply is not indented in thread view")
	}
	root := h.row("MX secondaire en panne ?")
	if root.depth != 0 {
		t.Errorf("a thread root is indented by %d", root.depth)
	}
	if reply.sender.Position().X <= root.sender.Position().X {
		t.Errorf("the reply is drawn at x=%v, its root at x=%v", reply.sender.Position().X, root.sender.Position().X)
	}
	h.c.setThreaded(false)
	h.settle()
	if h.row("Re: Itinéraire d'un message").depth != 0 {
		t.Error("rows stay indented after leaving thread view")
	}
}

func TestSortBySubject(t *testing.T) {
	h := newHarness(t)
	h.c.ui.sortSelect.SetSelectedIndex(3) // Subject
	h.settle()
	if h.c.listOpts.Sort != mailstore.SortSubject || !h.c.ui.menu.sorts[3].Checked {
		t.Fatalf("sort = %v; menu not in step", h.c.listOpts.Sort)
	}
	var subjects []string
	for i := 0; i < h.c.rows.length(); i++ {
		s, ok, _ := h.c.rows.row(i)
		if !ok {
			t.Fatalf("row %d not loaded", i)
		}
		subjects = append(subjects, s.Subject)
	}
	if len(subjects) < 2 {
		t.Fatal("too few messages to check the order")
	}
	first, last := strings.ToLower(subjects[0]), strings.ToLower(subjects[len(subjects)-1])
	if first > last {
		t.Errorf("by subject, %q comes before %q", subjects[0], subjects[len(subjects)-1])
	}
}

func TestLargeFolderLoadsPageByPage(t *testing.T) {
	h := newHarness(t)
	const n = 1500
	ref := mailstore.FolderRef{Account: "Local", Name: "big"}
	if err := h.store.CreateFolder(context.Background(), ref, mailstore.RoleNone); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Import(context.Background(), ref, writeMbox(t, n), func(mailstore.Progress) {}); err != nil {
		t.Fatal(err)
	}
	h.c.openFolder(ref)
	h.settle()
	if h.c.ui.list.Length() != n {
		t.Fatalf("the list has %d rows, want %d", h.c.ui.list.Length(), n)
	}
	if len(h.c.rows.pages) > 2 {
		t.Errorf("opening the folder loaded %d pages: the list is not virtual", len(h.c.rows.pages))
	}
	h.c.ui.list.ScrollToBottom()
	h.settle()
	last := h.rows()[len(h.rows())-1]
	if last.sender.Text == "…" || last.sender.Text == "" {
		t.Errorf("the last row is not loaded after scrolling: %q", last.sender.Text)
	}
	if len(h.c.rows.pages) > 4 {
		t.Errorf("scrolling to the end loaded %d pages", len(h.c.rows.pages))
	}
	// j at the end of a page crosses into the next one.
	h.c.ui.list.Select(pageSize - 1)
	h.settle()
	test.TypeOnCanvas(h.w.Canvas(), "j")
	h.settle()
	if h.c.selectedIndex() != pageSize {
		t.Errorf("j from the last row of a page went to %d", h.c.selectedIndex())
	}
}

func TestAboutAndTheme(t *testing.T) {
	h := newHarness(t)
	h.c.showAbout()
	text := h.overlayText()
	for _, want := range []string{"Facteur", "Version test", "Messagerie – Module TR2"} {
		if !strings.Contains(text, want) {
			t.Errorf("About does not say %q: %q", want, text)
		}
	}
	h.c.setTheme(themeDark)
	if th, ok := fyne.CurrentApp().Settings().Theme().(facteurTheme); !ok || th.mode != themeDark {
		t.Errorf("theme after View > Theme > Dark: %#v", fyne.CurrentApp().Settings().Theme())
	}
	if savedTheme(h.c.settings) != themeDark || !h.c.ui.menu.themes[themeDark].Checked || h.c.ui.menu.themes[themeSystem].Checked {
		t.Errorf("the dark theme is not remembered")
	}
	if again, err := openSettings(h.c.opts.Profile, nil); err != nil || savedTheme(again) != themeDark {
		t.Errorf("the dark theme is not in the profile's settings: %v", err)
	}
}
