package app

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2/lang"

	"facteur/mua/account"
	"facteur/mua/autoconfig"
)

// problemText is the sentence shown to the user for a failure of an
// account, in the language of the window: the kinds of autoconfig.Error
// (which its Sentence says in English for the command line), else the
// error's own text.
func problemText(err error) string {
	var ae *autoconfig.Error
	if !errors.As(err, &ae) {
		var ce *account.CertificateError
		if errors.As(err, &ce) {
			return certificateText(ce.Host, ce)
		}
		return err.Error()
	}
	server := ae.Host
	if ae.Protocol != "" {
		server = lang.L("the {{.Protocol}} server {{.Host}}", map[string]any{"Protocol": protocolName(ae.Protocol), "Host": ae.Host})
	}
	args := map[string]any{"Server": server, "Host": ae.Host, "Port": ae.Port, "Error": fmt.Sprint(ae.Err)}
	switch ae.Kind {
	case autoconfig.KindBadAddress:
		return lang.L("“{{.Host}}” is not an e-mail address (name@domain).", args)
	case autoconfig.KindDNS:
		return lang.L("The name {{.Host}} does not exist in the DNS: check the address or the server name.", args)
	case autoconfig.KindUnreachable:
		return lang.L("Cannot connect to {{.Server}} on port {{.Port}}: it refused the connection or cannot be reached. Check the server, the port and your network.", args)
	case autoconfig.KindTLS:
		if ce := ae.Certificate(); ce != nil {
			return certificateText(server, ce)
		}
		return lang.L("The secure (TLS) connection to {{.Server}} failed: the port or the security setting may be wrong.", args)
	case autoconfig.KindNoStartTLS:
		return lang.L("{{.Server}} does not offer STARTTLS, and Facteur will not send your password in clear. Choose implicit TLS, or plaintext only on a network you trust.", args)
	case autoconfig.KindAuth:
		return lang.L("{{.Server}} refused the user name or the password.", args)
	case autoconfig.KindNotFound:
		return lang.L("No mail server settings were found for {{.Host}}: enter them by hand.", args)
	}
	return lang.L("The test of {{.Server}} failed: {{.Error}}.", args)
}

// certificateText says that a certificate is not trusted; the fingerprint
// is shown apart, next to the button that pins it.
func certificateText(server string, ce *account.CertificateError) string {
	return lang.L("The certificate of {{.Server}} is not trusted ({{.Reason}}). If you trust this server, compare the fingerprint below with the one its administrator gives, then pin it.",
		map[string]any{"Server": server, "Reason": fmt.Sprint(ce.Err)})
}

func protocolName(p string) string {
	switch p {
	case autoconfig.IMAP:
		return "IMAP"
	case autoconfig.POP3:
		return "POP3"
	}
	return "SMTP"
}
