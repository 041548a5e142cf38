package main

import (
	"strings"
	"testing"
)

// sendmailRules are the messages that SMTP DATA refuses: `facteur
// sendmail` refuses them too, whether an MTA runs or not (issue 10).
var sendmailRules = []struct {
	name, msg string
	reply     string
}{
	{"bare CR", "Subject: s\n\nA\r.\rMAIL FROM:<evil@x.test>\n", "554 5.6.0"},
	{"NUL", "Subject: s\n\nA\x00B\n", "554 5.6.0"},
	{"5000-character line", "Subject: s\n\n" + strings.Repeat("x", 5000) + "\n", "554 5.6.0"},
}

func TestSendmailPickupAppliesDataRules(t *testing.T) {
	dir := t.TempDir()
	writeMTAFile(t, dir, "users", "marc:{plain}secret\n")
	for _, c := range sendmailRules {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := facteurIn(t, dir, c.msg, "sendmail", "marc")
			if code != exDataErr || !strings.Contains(errOut, c.reply) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, exDataErr, c.reply)
			}
		})
	}
	if _, out, _ := facteur(t, dir, "mailq"); !strings.HasPrefix(out, "Mail queue is empty") {
		t.Fatalf("refused messages were spooled:\n%s", out)
	}
}

func TestSendmailPickupChecksRecipients(t *testing.T) {
	dir := t.TempDir()
	writeMTAFile(t, dir, "users", "marc:{plain}secret\n")
	code, _, errOut := facteurIn(t, dir, "Subject: s\n\nhello\n", "sendmail", "nobody@localhost")
	if code != exNoUser || !strings.Contains(errOut, "<nobody@localhost>: 550 5.1.1 ") {
		t.Fatalf("unknown local user: exit %d, stderr %q", code, errOut)
	}
	if _, out, _ := facteur(t, dir, "mailq"); !strings.HasPrefix(out, "Mail queue is empty") {
		t.Fatalf("a message to an unknown user was spooled:\n%s", out)
	}
	code, _, errOut = facteurIn(t, dir, "To: marc@localhost, nobody@localhost, far@remote.test\nSubject: s\n\nhello\n", "sendmail", "-t")
	if code != exNoUser || !strings.Contains(errOut, "queued as ") || !strings.Contains(errOut, "not sent to <nobody@localhost>: 550 5.1.1 ") {
		t.Fatalf("-t with one unknown user: exit %d, stderr %q", code, errOut)
	}
	_, out, _ := facteur(t, dir, "mailq")
	if !strings.Contains(out, "marc@localhost") || !strings.Contains(out, "far@remote.test") || strings.Contains(out, "nobody@") {
		t.Fatalf("mailq after -t:\n%s", out)
	}
}

// TestSendmailToLoginWithoutUSER: with $USER unset the login comes from
// the account database, so mail to it is not refused 550 5.1.1.
func TestSendmailToLoginWithoutUSER(t *testing.T) {
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		t.Setenv(v, "")
	}
	login := localLogin()
	if login == "user" {
		t.Skip("no account name for this process")
	}
	dir := t.TempDir()
	if code, _, errOut := facteurIn(t, dir, "Subject: s\n\nhello\n", "sendmail", login); code != 0 {
		t.Fatalf("sendmail %s: exit %d, %s", login, code, errOut)
	}
}

// TestSendmailWithMTARunning: over SMTP the same rules give the same
// replies and exit statuses, and -t with one unknown recipient delivers
// to the others and reports it (issue 10).
func TestSendmailWithMTARunning(t *testing.T) {
	dir := t.TempDir()
	_, stop := startFacteurMTA(t, dir)
	for _, c := range sendmailRules {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := facteurIn(t, dir, c.msg, "sendmail", "marc")
			if code != exDataErr || !strings.Contains(errOut, c.reply) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, exDataErr, c.reply)
			}
		})
	}
	msg := "To: marc@localhost, nobody@localhost\nCc: " + localLogin() + "@localhost\nSubject: -t\n\nhello\n"
	code, _, errOut := facteurIn(t, dir, msg, "sendmail", "-oi", "-t")
	if code != exNoUser || !strings.Contains(errOut, "sent over SMTP") || !strings.Contains(errOut, "not sent to <nobody@localhost>: 550 5.1.1 ") {
		t.Fatalf("-t with one unknown user: exit %d, stderr %q", code, errOut)
	}
	waitMailq(t, dir, "delivery", func(out string) bool { return strings.HasPrefix(out, "Mail queue is empty") })
	code, _, errOut = facteurIn(t, dir, "To: nobody@localhost\nSubject: s\n\nhello\n", "sendmail", "-t")
	if code != exNoUser || !strings.Contains(errOut, "550 5.1.1") || strings.Contains(errOut, "sent over SMTP") {
		t.Fatalf("every recipient unknown: exit %d, stderr %q", code, errOut)
	}
	stop()
	if inbox := inboxMessages(t, dir); len(inbox) != 2 {
		t.Fatalf("%d messages in Local/INBOX, want 2 (marc and the login, from -t)", len(inbox))
	}
}
