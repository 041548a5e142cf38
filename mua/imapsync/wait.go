package imapsync

import "context"

// WaitForMail returns when INBOX may have new mail: after an EXISTS seen
// during IDLE (RFC 2177), after Options.IdleRestart, or after
// Options.PollInterval when the server has no IDLE. Cancelling ctx ends
// the IDLE cleanly (DONE) and returns; callers that cancel it to wake the
// account early (a "Check mail" click) then call Sync. Run is WaitForMail
// and Sync in a loop.
func (s *Syncer) WaitForMail(ctx context.Context) error {
	return s.wait(ctx)
}
