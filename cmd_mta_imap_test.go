package main

import (
	"testing"

	"facteur/localmta/mailsys"
)

// TestIMAPOffForMbox: with --deliver mbox the IMAP server is off unless
// an address was asked for: local mail does not reach its folders.
func TestIMAPOffForMbox(t *testing.T) {
	tests := []struct {
		deliver, imap string
		set           bool
		want          string
	}{
		{"maildir", mailsys.DefaultIMAP, false, mailsys.DefaultIMAP},
		{"mbox", mailsys.DefaultIMAP, false, mailsys.Off},
		{"MBOX", mailsys.DefaultIMAP, false, mailsys.Off},
		{"mbox", mailsys.DefaultIMAP, true, mailsys.DefaultIMAP}, // --imap given
		{"mbox", "127.0.0.1:1993", false, "127.0.0.1:1993"},      // from mta/options
	}
	for _, tt := range tests {
		opt := mtaOptions{deliver: tt.deliver, imap: tt.imap, set: map[string]bool{"imap": tt.set}}
		if got := imapOffForMbox(opt).imap; got != tt.want {
			t.Errorf("deliver %s, imap %s (given %v): %s, want %s", tt.deliver, tt.imap, tt.set, got, tt.want)
		}
	}
}
