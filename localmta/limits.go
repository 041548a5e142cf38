package localmta

import (
	"errors"

	"github.com/emersion/go-smtp"
)

// ErrNestedMail refuses MAIL inside a transaction (RFC 5321 §4.1.4).
var ErrNestedMail = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Error: nested MAIL command"}

// errTooManyErrors ends a session at Config.HardErrorLimit, as Postfix's
// smtpd does.
func (m *MTA) errTooManyErrors() error {
	return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: m.cfg.Hostname + " Error: too many errors"}
}

// errorLimits applies Postfix's smtpd_soft_error_limit and
// smtpd_hard_error_limit to the reply *err of a session call: once the
// connection made Config.SoftErrorLimit errors, every reply waits
// Config.ErrorDelay; the error that reaches Config.HardErrorLimit is
// replaced by 421 4.7.0 and the connection closed. Refused recipients,
// refused MAIL (nested, unauthenticated, bad path) and failed AUTH count.
// Errors that go-smtp answers itself (unknown commands, commands out of
// sequence such as RCPT before MAIL, syntax errors) never reach the
// session and do not count; go-smtp closes after its fourth unknown or
// unparsable command.
func (s *session) errorLimits(err *error) {
	c, cfg := s.client, s.m.cfg
	if c == nil { // the pick-up (Pickup): a local program, no connection to slow
		return
	}
	if cfg.SoftErrorLimit > 0 && c.errors >= cfg.SoftErrorLimit {
		cfg.Sleep(s.m.ctx, cfg.ErrorDelay)
	}
	if !isErrorReply(*err) {
		return
	}
	c.errors++
	if cfg.HardErrorLimit > 0 && c.errors >= cfg.HardErrorLimit {
		s.m.log.Warn("smtp: too many errors, closing", "client", s.ip, "errors", c.errors)
		c.closeAfterReply()
		*err = s.m.errTooManyErrors()
	}
}

// isErrorReply reports whether err is answered with a 4xx or 5xx code.
func isErrorReply(err error) bool {
	var se *smtp.SMTPError
	return err != nil && (!errors.As(err, &se) || se.Code >= 400)
}
