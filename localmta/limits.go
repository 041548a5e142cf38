package localmta

import (
	"github.com/emersion/go-smtp"
)

// ErrNestedMail refuses MAIL inside a transaction (RFC 5321 §4.1.4).
var ErrNestedMail = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Error: nested MAIL command"}

// errTooManyErrors ends a session at Config.HardErrorLimit, as Postfix's
// smtpd does.
func (m *MTA) errTooManyErrors() *smtp.SMTPError {
	return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: m.cfg.Hostname + " Error: too many errors"}
}

// replyLimits applies Postfix's smtpd_soft_error_limit and
// smtpd_hard_error_limit to every reply of a connection (go-smtp's
// Server.ReplyHook): once the connection made Config.SoftErrorLimit
// errors, every reply waits Config.ErrorDelay; the error that reaches
// Config.HardErrorLimit is replaced by 421 4.7.0 and the connection
// closed. Every 4xx or 5xx counts: refused recipients, refused MAIL,
// failed AUTH, refused DATA, and the errors go-smtp answers itself
// (unknown commands, commands out of sequence such as RCPT before MAIL,
// syntax errors). It runs on the connection's goroutine.
func (m *MTA) replyLimits(conn *smtp.Conn, code int) *smtp.SMTPError {
	c, ok := clientOf(conn.Conn())
	if !ok || c.closing.Load() {
		return nil
	}
	cfg := m.cfg
	if cfg.SoftErrorLimit > 0 && c.errors >= cfg.SoftErrorLimit {
		cfg.Sleep(m.ctx, cfg.ErrorDelay)
	}
	if code < 400 {
		return nil
	}
	c.errors++
	if cfg.HardErrorLimit > 0 && c.errors >= cfg.HardErrorLimit {
		m.log.Warn("smtp: too many errors, closing", "client", c.ip, "errors", c.errors)
		c.closeAfterReply()
		return m.errTooManyErrors()
	}
	return nil
}
