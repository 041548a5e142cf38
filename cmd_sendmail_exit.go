package main

import (
	"errors"
	"fmt"
	"strings"

	"facteur/localmta"

	"github.com/emersion/go-smtp"
)

// Exit statuses of sendmail (sysexits.h), which mutt and cron read.
const (
	exDataErr     = 65 // the message breaks a rule of DATA, or is too big
	exNoUser      = 67 // an addressee is unknown
	exUnavailable = 69 // refused for another reason
	exTempFail    = 75 // temporary failure: try again later
	exNoPerm      = 77 // relay or policy refusal
)

// sendmailExit is the exit status of sendmail for a reply or an error.
func sendmailExit(err error) int {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return exTempFail // the MTA or the spool could not be reached
	}
	switch c := se.EnhancedCode; {
	case se.Code/100 == 4:
		return exTempFail
	case c[0] == 5 && c[1] == 1:
		return exNoUser
	case c[0] == 5 && c[1] == 7:
		return exNoPerm
	case c[0] == 5 && c[1] == 6, se.Code == 552:
		return exDataErr
	}
	return exUnavailable
}

// exitError is an error with its exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

// sendmailFailed is the error of a message that was not sent at all.
func sendmailFailed(err error, refused []*localmta.RcptError) error {
	code := sendmailExit(err)
	var re *localmta.RcptError
	var se *smtp.SMTPError
	switch {
	case errors.As(err, &re) && len(refused) > 1:
		err = fmt.Errorf("every recipient refused: %s", joinRefused(refused))
	case re == nil && errors.As(err, &se):
		err = fmt.Errorf("message refused: %d %d.%d.%d %s", se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], se.Message)
	}
	return &exitError{code: code, err: fmt.Errorf("sendmail: %w", err)}
}

// refusedError reports the recipients refused while the message went to
// the others.
type refusedError struct {
	refused []*localmta.RcptError
}

func (e *refusedError) Error() string {
	return "sendmail: not sent to " + joinRefused(e.refused) + " (sent to the other recipients)"
}

// ExitCode is the status of the first refusal, as sendmail's.
func (e *refusedError) ExitCode() int { return sendmailExit(e.refused[0].Err) }

func joinRefused(refused []*localmta.RcptError) string {
	parts := make([]string, len(refused))
	for i, r := range refused {
		parts[i] = r.Error()
	}
	return strings.Join(parts, "; ")
}
