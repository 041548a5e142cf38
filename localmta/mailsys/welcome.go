package mailsys

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"facteur/localmta/handoff"
)

// WelcomeMarker is the file of the MTA directory whose presence says that
// the welcome message was sent: it goes once per profile.
const WelcomeMarker = "welcome-sent"

// welcomeFrom is the sender of the welcome message.
const welcomeFrom = "postmaster@localhost"

// SendWelcome submits the welcome message to to over SMTP at the first
// SMTP address of st (the running mail system's loopback listener), so
// that it arrives like any mail, with a Received route, once per profile:
// it does nothing when the marker exists in dir, and writes the marker once
// the MTA has accepted the message. The message names the addresses of st.
// It reports whether it sent the message.
func SendWelcome(ctx context.Context, dir string, st Status, to string, now time.Time) (bool, error) {
	marker := filepath.Join(dir, WelcomeMarker)
	if _, err := os.Stat(marker); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if len(st.SMTP) == 0 {
		return false, errors.New("welcome message: the MTA listens on no SMTP address")
	}
	if _, _, err := handoff.SendSMTP(ctx, st.SMTP[0], welcomeFrom, []string{to}, []byte(welcomeMessage(to, st, now)), 30*time.Second); err != nil {
		return false, fmt.Errorf("welcome message: %w", err)
	}
	data := []byte(now.UTC().Format(time.RFC3339) + " " + to + "\n")
	if err := os.WriteFile(marker, data, 0o600); err != nil {
		return true, err
	}
	return true, nil
}

// nbsp is the no-break space French puts before : ; ? ! and inside « ».
const nbsp = "\u00a0"

// WelcomeSubject is the subject of the welcome message.
const WelcomeSubject = "Welcome to Facteur / Bienvenue dans Facteur"

// welcomeMessage is the welcome message, in CRLF lines.
func welcomeMessage(to string, st Status, now time.Time) string {
	smtpAt := strings.Join(st.SMTP, ", ")
	en := "Any program can send to " + to + " through SMTP on " + smtpAt
	fr := "Tout programme peut écrire à " + to + " en SMTP sur " + smtpAt
	if st.POP3 != "" {
		en += ",\nand read it over POP3 on " + st.POP3
		fr += ",\net le lire en POP3 sur " + st.POP3
	}
	if st.IMAP != "" {
		en += ",\nor over IMAP on " + st.IMAP + ": point mutt, Thunderbird, aerc or a phone\n" +
			"at it (STARTTLS, the MTA's certificate, a login of the profile's mta/users\n" +
			"file, a line such as \"marc:{plain}secret\"); every folder of the Local\n" +
			"account is there, and what a client changes shows in the window"
		fr += ",\nou en IMAP sur " + st.IMAP + "\u00a0: mutt, Thunderbird, aerc ou un téléphone\n" +
			"y lisent tous les dossiers du compte Local (STARTTLS, le certificat du MTA,\n" +
			"un identifiant du fichier mta/users du profil)"
	}
	body := `Welcome to Facteur.

This message did not come from the demo mailbox: Facteur's own MTA, started
with the application, accepted it over SMTP on the loopback interface, queued
it on disk, and its MDA delivered it into the INBOX of your Local account.
Open View > Inspect headers to see its Received route, and the Local MTA
panel (menu Mail system) for the queue, the deliveries and SMTP transcripts.

` + en + `.

--

Bienvenue dans Facteur.

Ce message ne vient pas de la boîte de démonstration` + nbsp + `: le MTA de Facteur,
démarré avec l'application, l'a accepté en SMTP sur l'interface de bouclage,
mis en file d'attente sur disque, et son MDA l'a remis dans la boîte INBOX
de votre compte Local. Affichage > «` + nbsp + `Inspecter l'en-tête` + nbsp + `» montre son
itinéraire Received, et le panneau MTA local (menu Messagerie) la file
d'attente, les remises et les transcriptions SMTP.

` + fr + `.
`
	hdr := []string{
		"From: Facteur <" + welcomeFrom + ">",
		"To: <" + to + ">",
		"Subject: " + WelcomeSubject,
		"Date: " + now.Format(time.RFC1123Z),
		fmt.Sprintf("Message-ID: <welcome.%d@localhost>", now.UnixNano()),
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: 8bit",
	}
	text := strings.Join(hdr, "\n") + "\n\n" + body
	return strings.ReplaceAll(text, "\n", "\r\n")
}
