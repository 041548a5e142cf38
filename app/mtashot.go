package app

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"facteur/localmta"
	"facteur/localmta/mailsys"
	"facteur/localmta/queue"
)

// stageMTA opens the MTA panel on a fixed state for Screenshot: an MTA
// that runs on the default addresses, two queued messages, a few
// deliveries and one SMTP session. No listener is opened.
func (c *controller) stageMTA(view string) {
	now := c.now()
	c.mta.run = &mtaRunner{}
	c.mta.loaded = true
	c.mta.snap = shotSnapshot(now)
	c.setMTAStatus(c.mta.snap.status)
	c.showMTAPanel()
	p := c.mta.panel
	switch view {
	case viewMTADeliveries:
		p.tabs.SelectIndex(tabDeliveries)
	case viewMTASessions:
		p.tabs.SelectIndex(tabSessions)
	default:
		p.queue.Select(widget.TableCellID{Row: 0, Col: qcolID})
	}
}

func shotSnapshot(now time.Time) mtaSnapshot {
	st := mailsys.Status{State: mailsys.Running, Hostname: "smtp.truc.fr",
		SMTP: []string{mailsys.DefaultSMTP}, Submission: []string{mailsys.DefaultSubmission}, POP3: mailsys.DefaultPOP3}
	refused := "451 4.4.1 connect to smtp.machin.com[192.0.2.25]:25: connection refused"
	return mtaSnapshot{
		status: st,
		queue: []queue.Message{
			{ID: "4F3A2B9C0D1E", From: "fred@truc.fr", Size: 2816, Arrived: now.Add(-42 * time.Minute), NextTry: now.Add(18 * time.Minute),
				Rcpts: []queue.Rcpt{{Addr: "marc@machin.com", Status: queue.StatusPending, LastError: refused}}},
			{ID: "5B7C1D2E3F40", From: "fred@truc.fr", Size: 14230, Arrived: now.Add(-5 * time.Minute), Held: true,
				Rcpts: []queue.Rcpt{{Addr: "jean@jussieu.fr", Status: queue.StatusPending}, {Addr: "paul@uvsq.fr", Status: queue.StatusPending}}},
		},
		deliveries: []localmta.DeliveryEvent{
			{Time: now.Add(-2 * time.Minute), ID: "6C8D2E3F4051", From: "fred@truc.fr", Rcpt: "marc@machin.com", Status: localmta.Delivered, Remote: "smtp.machin.com"},
			{Time: now.Add(-42 * time.Minute), ID: "4F3A2B9C0D1E", From: "fred@truc.fr", Rcpt: "marc@machin.com", Status: localmta.Deferred, Detail: refused},
			{Time: now.Add(-60 * time.Minute), ID: "3E2D1C0B9A87", From: "postmaster@localhost", Rcpt: "fred@localhost", Status: localmta.Delivered, Remote: "smtp.truc.fr"},
		},
		sessions: []localmta.OutSession{{Host: "smtp.machin.com", Addr: "192.0.2.26:25", Started: now.Add(-2 * time.Minute),
			TLS: "TLS 1.3 TLS_AES_128_GCM_SHA256", Transcript: shotTranscript}},
	}
}

// shotTranscript is the course's SMTP dialogue as Facteur records it.
const shotTranscript = `S: 220 smtp.machin.com ESMTP Postfix
C: EHLO smtp.truc.fr
S: 250-smtp.machin.com
S: 250-PIPELINING
S: 250-SIZE 26214400
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
C: EHLO smtp.truc.fr
S: 250-smtp.machin.com
S: 250 8BITMIME
C: MAIL FROM:<fred@truc.fr> BODY=8BITMIME SIZE=2816
S: 250 2.1.0 Ok
C: RCPT TO:<marc@machin.com>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Received: from localhost (localhost [127.0.0.1])
C: From: Fred <fred@truc.fr>
C: Subject: test itineraire
C: (2816 bytes)
C: .
S: 250 2.0.0 Ok: queued as 7D9E3F
C: QUIT
S: 221 2.0.0 Bye
`
