package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"facteur/internal/profile"
	"facteur/mua/account"
	"facteur/mua/compose"
	"facteur/mua/mailer"
	"facteur/mua/submit"
)

// localAddress is the Local account's address.
func (c *controller) localAddress() string {
	if c.opts.LocalAddress != "" {
		return c.opts.LocalAddress
	}
	if c.opts.MTA != nil && c.opts.MTA.LocalAddress != "" {
		return c.opts.MTA.LocalAddress
	}
	return "user@localhost"
}

// localSender is the Local account as a From choice.
func (c *controller) localSender() fromChoice {
	id := account.Identity{Address: c.localAddress()}
	return fromChoice{label: lang.L("Local") + " — " + id.Address, id: id}
}

// book is the profile's list of accounts; nil without a profile.
func (c *controller) book() *account.Book {
	if c.opts.Profile == "" {
		return nil
	}
	p, err := profile.Open(c.opts.Profile)
	if err != nil {
		return nil
	}
	return account.OpenBook(p.ConfigFile())
}

// readSenders lists the Local account and the configured accounts that
// can send. It reads the settings file: call it in the background.
func (c *controller) readSenders() []fromChoice {
	list := []fromChoice{c.localSender()}
	b := c.book()
	if b == nil {
		return list
	}
	accts, err := b.List()
	if err != nil {
		return list
	}
	for _, a := range accts {
		if a.Outgoing.Host == "" {
			continue
		}
		list = append(list, accountSenders(a)...)
	}
	return list
}

// loadSenders reads the identities in the background and hands them to fn.
func (c *controller) loadSenders(fn func([]fromChoice)) {
	c.work.bg(func(context.Context) func() {
		list := c.readSenders()
		return func() {
			c.compose.senders = list
			fn(list)
		}
	})
}

// setSenders fills the From select and selects the identity of want.
func (cm *composer) setSenders(list []fromChoice, want account.Identity) {
	if len(list) == 0 {
		list = []fromChoice{cm.c.localSender()}
	}
	if want.Address != "" && !hasSender(list, want.Address) {
		list = append(list, fromChoice{label: want.Address, id: want})
	}
	cm.senders = list
	labels := make([]string, len(list))
	pick := 0
	for i, s := range list {
		labels[i] = s.label
		if want.Address != "" && strings.EqualFold(s.id.Address, want.Address) {
			pick = i
		}
	}
	cm.from.Options = labels
	cm.from.OnChanged = nil // no autosave for a change the code made
	cm.from.SetSelectedIndex(pick)
	cm.from.OnChanged = func(string) { cm.fromChanged() }
}

func hasSender(list []fromChoice, addr string) bool {
	for _, s := range list {
		if strings.EqualFold(s.id.Address, addr) {
			return true
		}
	}
	return false
}

// sender is the identity chosen in From.
func (cm *composer) sender() fromChoice {
	i := cm.from.SelectedIndex()
	if i < 0 || i >= len(cm.senders) {
		return cm.c.localSender()
	}
	return cm.senders[i]
}

// identity is who sends, with the draft's signature settings.
func (cm *composer) identity() account.Identity {
	if cm.from == nil || cm.from.SelectedIndex() < 0 {
		return cm.base.From
	}
	return cm.sender().id
}

// send builds the message and hands it to the mailer in the background:
// the account's SMTP server or its outbox, the local MTA for the Local
// account; the copy in Sent (on the IMAP server too) and the draft's
// removal are the mailer's.
func (cm *composer) send(later bool) {
	if cm.sending {
		return
	}
	c := cm.c
	d := cm.current()
	msg, err := compose.Build(d, c.now())
	if err != nil {
		cm.showStatus(buildProblem(err), true)
		return
	}
	if cm.confirmRoute(later) { // composer_route.go
		return
	}
	m, err := c.mailer()
	if err != nil {
		cm.showStatus(sendProblem(err), true)
		return
	}
	s := cm.sender()
	cm.setSending(true)
	draftID, forwards := cm.draft.id, cm.forwards
	c.work.bg(func(ctx context.Context) func() {
		out, err := m.Send(ctx, s.account, msg, mailer.SendOptions{Later: later, Draft: draftID, Forwards: forwards})
		return func() { cm.sent(s, out.Outcome, err) }
	})
}

func (cm *composer) setSending(on bool) {
	cm.sending = on
	if on {
		cm.sendBtn.Disable()
		cm.laterBtn.Disable()
		cm.showStatus(lang.L("Sending…"), false)
		return
	}
	cm.sendBtn.Enable()
	cm.laterBtn.Enable()
}

// sent shows the outcome: the window closes on success and the main
// window says what happened; on failure it stays open with the reason.
func (cm *composer) sent(s fromChoice, out submit.Outcome, err error) {
	cm.setSending(false)
	if err != nil && !out.Sent && !out.Queued && !out.Uncertain {
		cm.showStatus(sendProblem(err), true)
		return
	}
	cm.draft.sent = true
	cm.draft.id = 0
	text := outcomeText(s, out)
	if err != nil && !out.Uncertain { // sent or queued, but some recipients were refused
		cm.showStatus(text+"\n"+sendProblem(err), true)
		return
	}
	// An uncertain outcome closes the composer too: a second Send could
	// deliver the message twice (its copy is in Sent, marked so).
	cm.c.lastOutcome = text
	cm.stopTimers()
	cm.win.Close()
	if out.Uncertain { // the user must read this one: a dialog
		dialog.ShowInformation(lang.L("Message perhaps delivered"), text, cm.c.win)
		return
	}
	cm.c.notify(text, nil) // a notice that goes away, as mail clients do
}

// outcomeText says where the message went.
func outcomeText(s fromChoice, out submit.Outcome) string {
	text := outcomeSentence(s, out)
	if len(out.QueuedFor) > 0 {
		text += "\n" + lang.L("Refused for now by the server, it waits in the outbox for {{.Rcpts}}, and will be retried.",
			map[string]any{"Rcpts": strings.Join(out.QueuedFor, ", ")})
	}
	return text
}

func outcomeSentence(s fromChoice, out submit.Outcome) string {
	switch {
	case out.Uncertain:
		return lang.L("The server stopped answering once it had the whole message: it may have received it. Facteur did not send it again, lest it arrive twice; its copy in Sent is marked uncertain. Ask a recipient whether it arrived.")
	case out.Sent:
		return lang.L("Sent through {{.Account}}.", map[string]any{"Account": s.account.Name})
	case out.Queued && s.account == nil:
		return lang.L("Handed to the local mail system (queue id {{.ID}}).", map[string]any{"ID": out.QueueID})
	case out.Queued && errors.Is(out.Reason, submit.ErrSendLater):
		return lang.L("Put in the outbox; it will be sent with the next attempts.")
	case out.Queued:
		return lang.L("Queued in the outbox: {{.Reason}}. It will go out when the server answers.", map[string]any{"Reason": errText(out.Reason)})
	}
	return ""
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// buildProblem is the sentence for a draft that cannot be built.
func buildProblem(err error) string {
	var addrs compose.AddressErrors
	switch {
	case errors.Is(err, compose.ErrNoRecipient):
		return lang.L("Add at least one recipient.")
	case errors.As(err, &addrs):
		var lines []string
		for _, e := range addrs {
			lines = append(lines, lang.L("{{.Field}}: {{.Address}}: {{.Reason}}",
				map[string]any{"Field": e.Field, "Address": e.Text, "Reason": addressReason(e)}))
		}
		return strings.Join(lines, "\n")
	}
	return lang.L("The message could not be built: {{.Error}}", map[string]any{"Error": err.Error()})
}

// sendProblem is the sentence for a failed submission: each refused
// recipient with the server's reply.
func sendProblem(err error) string {
	var lr *mailer.RefusedError
	if errors.As(err, &lr) {
		lines := []string{lang.L("The local mail system refused these recipients:")}
		for _, r := range lr.Refused {
			lines = append(lines, "  "+r.Error())
		}
		return strings.Join(lines, "\n")
	}
	var re *submit.RecipientsError
	if errors.As(err, &re) {
		lines := []string{lang.L("The server refused these recipients:")}
		for _, r := range re.Rejected {
			lines = append(lines, fmt.Sprintf("  %s: %d %s", r.Addr, r.Err.Code, r.Err.Message))
		}
		return strings.Join(lines, "\n")
	}
	return lang.L("Not sent: {{.Error}}", map[string]any{"Error": err.Error()})
}
