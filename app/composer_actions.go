package app

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/compose"
)

// composeKind is what a composer starts from.
type composeKind int

const (
	composeReply composeKind = iota
	composeReplyAll
	composeForward
	composeForwardAttached
	composeEditAsNew
)

// newMessage opens an empty composer from the first identity.
func (c *controller) newMessage() {
	from := c.localSender().id
	if len(c.compose.senders) > 0 {
		from = c.compose.senders[0].id
	}
	c.openComposer(compose.New(from), 0)
}

// composeFromSelected opens a composer built from the message in the reader.
func (c *controller) composeFromSelected(kind composeKind) {
	s := c.ui.reader.sum
	if s.ID == 0 {
		return
	}
	c.composeFrom(s, kind, 0)
}

// composeFrom reads message s in the background and opens the composer
// that kind builds from it, from the identity of the message's account.
// draftID is the stored draft the composer continues, 0 for none.
func (c *controller) composeFrom(s mailstore.Summary, kind composeKind, draftID int64) {
	fetch := c.bodyFetcher(s)
	c.work.bg(func(ctx context.Context) func() {
		if fetch != nil { // a reply quotes the body: download it first
			if _, err := fetch(ctx); err != nil {
				return func() { c.showError(err) }
			}
		}
		list := c.readSenders()
		o, err := c.readOriginal(ctx, s.ID)
		if err != nil {
			return func() { c.showError(err) }
		}
		o.Texts = composeTexts()
		d, err := buildDraft(kind, o, pickSender(list, kind, s.Folder.Account, o.Msg))
		return func() {
			c.compose.senders = list
			if err != nil && d.From.Address == "" {
				c.showError(err)
				return
			}
			cm := c.openComposer(d, draftID)
			if kind == composeForward || kind == composeForwardAttached {
				cm.forwards = []int64{s.ID}
			}
			if err != nil { // attachments of the original could not be read
				cm.showStatus(lang.L("Some attachments of the original could not be joined: {{.Error}}", map[string]any{"Error": err.Error()}), true)
			}
		}
	})
}

// composeTexts are the attribution line and the forward separator in the
// window's language.
func composeTexts() compose.Texts {
	return compose.Texts{
		Wrote: func(date time.Time, who string) string {
			if date.IsZero() {
				return lang.L("{{.Who}} wrote:", map[string]any{"Who": who})
			}
			// the layout of the date, in Go's notation, is translated too
			when := date.Format(lang.L("Mon, 2 Jan 2006 15:04 -0700"))
			return lang.L("On {{.Date}}, {{.Who}} wrote:", map[string]any{"Date": when, "Who": who})
		},
		Forwarded: lang.L("Forwarded message"),
	}
}

// buildDraft runs the compose builder of kind.
func buildDraft(kind composeKind, o compose.Original, from account.Identity) (compose.Draft, error) {
	switch kind {
	case composeReply:
		return compose.Reply(o, from), nil
	case composeReplyAll:
		return compose.ReplyAll(o, from), nil
	case composeForward:
		return compose.Forward(o, from)
	case composeForwardAttached:
		return compose.ForwardAttached(o, from), nil
	case composeEditAsNew:
		return compose.EditAsNew(o, from)
	}
	return compose.Draft{}, errors.New("unknown compose action")
}

// openDraft continues a message of Drafts in the composer ("Edit as new"
// semantics); the composer's saves replace it.
func (c *controller) openDraft(s mailstore.Summary) {
	c.composeFrom(s, composeEditAsNew, s.ID)
}

// composerOf is the open composer that continues draft id, or nil.
func (c *controller) composerOf(id int64) *composer {
	for _, cm := range c.compose.open {
		if cm.draft.id == id {
			return cm
		}
	}
	return nil
}

// isDraft tells a message of a Drafts folder.
func (c *controller) isDraft(s mailstore.Summary) bool {
	if s.Flags&mailstore.FlagDraft == 0 {
		f, ok := c.folder(s.Folder)
		return ok && f.Role == mailstore.RoleDrafts
	}
	return true
}

// composeMenu is the Message menu: the composer's commands.
func (c *controller) composeMenu() *fyne.Menu {
	items := c.composeItems()
	items[0].Shortcut = shortcutReply
	return fyne.NewMenu(lang.L("Message"), items...)
}

func (c *controller) composeItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{
		fyne.NewMenuItem(lang.L("Reply"), func() { c.composeFromSelected(composeReply) }),
		fyne.NewMenuItem(lang.L("Reply all"), func() { c.composeFromSelected(composeReplyAll) }),
		fyne.NewMenuItem(lang.L("Forward"), func() { c.composeFromSelected(composeForward) }),
		fyne.NewMenuItem(lang.L("Forward as attachment"), func() { c.composeFromSelected(composeForwardAttached) }),
		fyne.NewMenuItem(lang.L("Edit as new"), func() { c.composeFromSelected(composeEditAsNew) }),
		fyne.NewMenuItem(lang.L("Filter messages like this…"), c.filterLikeSelected),
	}
}

// buildComposeActions are the reader's buttons Reply, Reply all, Forward;
// moreComposeItems has Forward as attachment and Edit as new.
func (c *controller) buildComposeActions(button func(fyne.Resource, func()) *widget.Button) []*widget.Button {
	reply := button(theme.MailReplyIcon(), func() { c.composeFromSelected(composeReply) })
	reply.SetText(lang.L("Reply"))
	all := button(theme.MailReplyAllIcon(), func() { c.composeFromSelected(composeReplyAll) })
	all.SetText(lang.L("Reply all"))
	fwd := button(theme.MailForwardIcon(), func() { c.composeFromSelected(composeForward) })
	fwd.SetText(lang.L("Forward"))
	return []*widget.Button{reply, all, fwd}
}

// moreComposeItems are the other ways to answer, behind the reader's "⋯".
func (c *controller) moreComposeItems() []*fyne.MenuItem {
	return c.composeItems()[3:]
}
