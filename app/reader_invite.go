package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/internal/message"
	"facteur/mailstore"
	"facteur/mua/compose"
	"facteur/mua/invite"
	"facteur/mua/mailer"
	"facteur/mua/submit"
)

// inviteCard shows the meeting invitation of the open message (its
// text/calendar part, mua/invite): what, when in the user's zone, where,
// who, and for an invitation the Accept, Tentative and Decline buttons,
// which send the iTIP REPLY through the message's account.
type inviteCard struct {
	box       *fyne.Container // hidden when the message has no invitation
	title     *widget.Label
	status    *widget.Label
	form      *fyne.Container
	answers   *fyne.Container
	accept    *widget.Button
	tentative *widget.Button
	decline   *widget.Button
	result    *widget.Label
	inv       *invite.Invitation
	answer    *mailstore.Answer // the user's answer so far (reader_invite_answer.go)
	account   string            // the account of the message, where the answer is kept
	id        int64             // the message shown
	msgID     string            // its Message-ID, for In-Reply-To
	sender    fromChoice        // who answers: the account that holds the message
	sending   bool
}

func (c *controller) newInviteCard() *inviteCard {
	k := &inviteCard{title: keyLabel(""), status: widget.NewLabel(""), result: widget.NewLabel(""),
		form: container.New(layout.NewFormLayout())}
	k.title.SizeName = theme.SizeNameSubHeadingText
	k.title.Wrapping = fyne.TextWrapWord
	k.status.Wrapping, k.result.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	k.accept = widget.NewButtonWithIcon(lang.L("Accept"), theme.ConfirmIcon(), func() { c.answerInvitation(invite.Accepted) })
	k.tentative = widget.NewButtonWithIcon(lang.L("Tentative"), theme.QuestionIcon(), func() { c.answerInvitation(invite.Tentative) })
	k.decline = widget.NewButtonWithIcon(lang.L("Decline"), theme.CancelIcon(), func() { c.answerInvitation(invite.Declined) })
	k.accept.Importance = widget.HighImportance
	k.answers = container.NewHBox(k.accept, k.tentative, k.decline)
	head := container.NewBorder(nil, nil, widget.NewIcon(theme.CalendarIcon()), nil, k.title)
	k.box = container.NewVBox(widget.NewSeparator(), head, k.status, k.form, k.answers, k.result)
	k.box.Hide()
	return k
}

// reset hides the card: another message is shown.
func (k *inviteCard) reset() {
	k.box.Hide()
	k.inv, k.answer, k.id, k.sending = nil, nil, 0, false
}

// showInvitation reads the calendar part of message m in the background
// and shows it as a card.
func (c *controller) showInvitation(s mailstore.Summary, m *message.Message) {
	k := c.ui.reader.invite
	k.reset()
	part, ok := invite.CalendarPart(m.Attachments)
	if !ok {
		return
	}
	k.id, k.msgID, k.account = s.ID, m.MessageID, s.Folder.Account
	loc, mail := c.now().Location(), c.accts.mailer // read on the UI goroutine
	c.work.bg(func(ctx context.Context) func() {
		inv, err := c.readInvitation(ctx, s.ID, part.Path, loc)
		sender := senderChoice(c.readSenders(), s.Folder.Account)
		answer := c.readAnswer(ctx, s.ID, s.Folder.Account, inv, sender, mail, loc)
		return func() {
			if k.id != s.ID || c.ui.reader.sum.ID != s.ID {
				return // another message is shown
			}
			k.sender, k.answer = sender, answer
			k.fill(inv, err, c.readOnly)
			c.nameCalendarPart(part, inv)
			c.ui.reader.relayout()
		}
	})
}

func (c *controller) readInvitation(ctx context.Context, id int64, path string, loc *time.Location) (*invite.Invitation, error) {
	rc, err := c.store.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return invite.ParsePart(rc, path, invite.Options{Location: loc})
}

// senderChoice is who answers a message of that account: the account,
// or the first choice (the Local account).
func senderChoice(list []fromChoice, accountName string) fromChoice {
	for _, s := range list {
		if s.account != nil && s.account.Name == accountName {
			return s
		}
	}
	return list[0]
}

// fill lays the card out for an invitation, or says why it cannot be read.
func (k *inviteCard) fill(inv *invite.Invitation, err error, readOnly bool) {
	k.inv = inv
	k.result.SetText("")
	k.result.Hide()
	k.form.RemoveAll()
	k.box.Show()
	if err != nil {
		k.title.SetText(lang.L("Invitation"))
		k.status.Importance = widget.WarningImportance
		k.status.SetText(lang.L("The invitation of this message could not be read: {{.Error}}", map[string]any{"Error": err.Error()}))
		k.answers.Hide()
		return
	}
	k.title.SetText(inviteTitle(inv))
	k.status.Importance = widget.MediumImportance
	if inv.Cancelled() {
		k.status.Importance = widget.DangerImportance
	}
	k.showStatus()
	k.addRow(lang.L("When"), inviteWhen(inv))
	if r := inv.Recurrence; r != nil {
		k.addRow(lang.L("Repeats"), recurrenceWords(r))
	}
	if strings.TrimSpace(inv.Location) != "" {
		k.addRow(lang.L("Where"), inv.Location)
	}
	if inv.Organizer.Addr != "" {
		k.addRow(lang.L("Organizer"), personText(inv.Organizer))
	}
	if len(inv.Attendees) > 0 {
		var lines []string
		for _, a := range inv.Attendees {
			lines = append(lines, personText(a)+" — "+partStatText(a.PartStat))
		}
		k.addRow(lang.L("Attendees"), strings.Join(lines, "\n"))
	}
	setVisible(k.answers, inv.Method == invite.MethodRequest && !inv.Cancelled() && !readOnly)
}

func (k *inviteCard) addRow(key, value string) {
	l := selectableLabel()
	l.SetText(value)
	k.form.Add(keyLabel(key))
	k.form.Add(l)
}

// answerInvitation sends the user's answer to the organizer through the
// account that holds the invitation (mailer.Send: its SMTP server or
// outbox, the Local account's MTA), with its copy in Sent.
func (c *controller) answerInvitation(ps invite.PartStat) {
	k := c.ui.reader.invite
	if k.inv == nil || k.sending {
		return
	}
	from := k.sender
	d, err := k.inv.Reply(invite.ReplyOptions{From: from.id, PartStat: ps,
		Subject: answerSubject(ps, k.inv.Summary), Text: answerText(ps, from.id.Name, from.id.Address, k.inv.Summary),
		InReplyTo: k.msgID, Now: c.now()})
	var msg *compose.Message
	if err == nil {
		msg, err = compose.Build(d, c.now())
	}
	m, merr := c.mailer()
	if err == nil {
		err = merr
	}
	if err != nil {
		k.showResult(lang.L("The answer was not sent: {{.Error}}", map[string]any{"Error": err.Error()}), true)
		return
	}
	k.setSending(true)
	id, account, uid := k.id, k.account, k.inv.UID
	answer := mailstore.Answer{PartStat: string(ps), At: c.now()}
	c.work.bg(func(ctx context.Context) func() {
		out, err := m.Send(ctx, from.account, msg, mailer.SendOptions{})
		kept := answerGone(out.Outcome, err) == nil && c.keepAnswer(ctx, account, uid, answer) == nil
		return func() {
			if k.id == id {
				k.setSending(false)
				if kept {
					k.answer = &answer
					k.showStatus()
				}
				k.sent(ps, from, out.Outcome, err)
			}
		}
	})
}

func (k *inviteCard) setSending(on bool) {
	k.sending = on
	for _, b := range []*widget.Button{k.accept, k.tentative, k.decline} {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on {
		k.showResult(lang.L("Sending…"), false)
	}
}

// sent says what became of the answer.
func (k *inviteCard) sent(ps invite.PartStat, from fromChoice, out submit.Outcome, err error) {
	if err := answerGone(out, err); err != nil {
		k.showResult(sendProblem(err), true)
		return
	}
	text := lang.L("Your answer ({{.Answer}}) goes to {{.Organizer}}.", map[string]any{
		"Answer": partStatText(ps), "Organizer": personText(k.inv.Organizer)}) + " " + outcomeText(from, out)
	k.showResult(text, err != nil)
}

func (k *inviteCard) showResult(text string, danger bool) {
	k.result.Importance = widget.MediumImportance
	if danger {
		k.result.Importance = widget.DangerImportance
	}
	k.result.SetText(text)
	k.result.Show()
}

// inviteTitle is the card's title: the summary (a cancellation is said
// by the status line, in red: Outlook already writes "Canceled:" into the
// summary).
func inviteTitle(inv *invite.Invitation) string {
	if s := strings.TrimSpace(inv.Summary); s != "" {
		return s
	}
	return lang.L("(no title)")
}

// inviteStatus says what the calendar object is about: an invitation (and
// the user's answer so far), a cancellation, someone's answer.
func inviteStatus(inv *invite.Invitation, me fromChoice) string {
	org := personName(inv.Organizer)
	switch {
	case inv.Cancelled():
		return lang.L("{{.Organizer}} cancelled this event.", map[string]any{"Organizer": org})
	case inv.Method == invite.MethodReply && len(inv.Attendees) > 0:
		a := inv.Attendees[0]
		return lang.L("{{.Name}} answered: {{.Answer}}.", map[string]any{"Name": personName(a), "Answer": partStatText(a.PartStat)})
	case inv.Method == invite.MethodRequest:
		text := lang.L("{{.Organizer}} invites you.", map[string]any{"Organizer": org})
		if a, ok := myAttendance(inv, me); ok && a.PartStat != invite.NeedsAction {
			text += " " + lang.L("Your answer so far: {{.Answer}}.", map[string]any{"Answer": partStatText(a.PartStat)})
		}
		return text
	}
	return lang.L("An event from {{.Organizer}}.", map[string]any{"Organizer": org})
}

// myAttendance is the user's line among the attendees.
func myAttendance(inv *invite.Invitation, me fromChoice) (invite.Person, bool) {
	for _, addr := range append([]string{me.id.Address}, me.id.Aliases...) {
		if a, ok := inv.Attendee(addr); ok {
			return a, true
		}
	}
	return invite.Person{}, false
}

func personName(p invite.Person) string {
	if p.Name != "" {
		return p.Name
	}
	if p.Addr != "" {
		return p.Addr
	}
	return lang.L("(unknown sender)")
}

func personText(p invite.Person) string {
	return message.Address{Name: p.Name, Addr: p.Addr}.String()
}

func partStatText(ps invite.PartStat) string {
	switch ps {
	case invite.Accepted:
		return lang.L("accepted")
	case invite.Declined:
		return lang.L("declined")
	case invite.Tentative:
		return lang.L("tentative")
	case invite.Delegated:
		return lang.L("delegated")
	}
	return lang.L("no answer yet")
}

// answerSubject is the subject of an answer, in the user's language.
func answerSubject(ps invite.PartStat, summary string) string {
	data := map[string]any{"Summary": summary}
	switch ps {
	case invite.Accepted:
		return lang.L("Accepted: {{.Summary}}", data)
	case invite.Tentative:
		return lang.L("Tentative: {{.Summary}}", data)
	}
	return lang.L("Declined: {{.Summary}}", data)
}

// answerText is the text part of an answer.
func answerText(ps invite.PartStat, name, addr, summary string) string {
	if strings.TrimSpace(name) == "" {
		name = addr
	}
	data := map[string]any{"Name": name, "Summary": summary}
	switch ps {
	case invite.Accepted:
		return lang.L("{{.Name}} accepted the invitation “{{.Summary}}”.", data) + "\n"
	case invite.Tentative:
		return lang.L("{{.Name}} tentatively accepted the invitation “{{.Summary}}”.", data) + "\n"
	}
	return lang.L("{{.Name}} declined the invitation “{{.Summary}}”.", data) + "\n"
}

// inviteWhen is the time of an event in the user's zone: "Tue 8 Dec 2026,
// 14:00 – 15:30 CET", a day or days for an all-day event.
func inviteWhen(inv *invite.Invitation) string {
	if inv.AllDay {
		last := inv.End.AddDate(0, 0, -1)
		if !last.After(inv.Start) {
			return longDay(inv.Start) + " · " + lang.L("all day")
		}
		return longDay(inv.Start) + " – " + longDay(last) + " · " + lang.L("all day")
	}
	s, e := inv.Start, inv.End
	text := longDay(s) + ", " + s.Format("15:04")
	switch {
	case e.Equal(s):
	case sameDay(s, e):
		text += " – " + e.Format("15:04")
	default:
		text += " – " + longDay(e) + ", " + e.Format("15:04")
	}
	return text + " " + s.Format("MST")
}

func longDay(t time.Time) string {
	return weekdayAbbrev(t.Weekday()) + " " + strconv.Itoa(t.Day()) + " " + monthAbbrev(t.Month()) + " " + strconv.Itoa(t.Year())
}

// recurrenceWords says a simple rule in words ("Every week on Tue, 3
// times"), and shows the others as written.
func recurrenceWords(r *invite.Recurrence) string {
	if !r.Simple {
		return lang.L("By the rule {{.Rule}}", map[string]any{"Rule": r.Rule})
	}
	text := everyWords(r.Freq, r.Interval)
	if len(r.Weekdays) > 0 {
		var days []string
		for _, d := range r.Weekdays {
			days = append(days, weekdayAbbrev(d))
		}
		text += " " + lang.L("on {{.Days}}", map[string]any{"Days": strings.Join(days, ", ")})
	}
	if r.Count > 0 {
		text += ", " + lang.N("{{.Count}} times", r.Count, map[string]any{"Count": r.Count})
	}
	if !r.Until.IsZero() {
		text += ", " + lang.L("until {{.Date}}", map[string]any{"Date": longDay(r.Until)})
	}
	return text
}

func everyWords(freq string, n int) string {
	data := map[string]any{"Count": n}
	switch freq {
	case "DAILY":
		return lang.N("Every {{.Count}} days", n, data)
	case "WEEKLY":
		return lang.N("Every {{.Count}} weeks", n, data)
	case "MONTHLY":
		return lang.N("Every {{.Count}} months", n, data)
	}
	return lang.N("Every {{.Count}} years", n, data)
}
