package main

import (
	"os/user"
	"testing"
)

// TestLocalLoginWithoutUSER: services, containers and cron start Facteur
// without $USER; the login then comes from the account database, not the
// "user" default (issue 10).
func TestLocalLoginWithoutUSER(t *testing.T) {
	u, err := user.Current()
	if err != nil {
		t.Skip("no account database entry for this process:", err)
	}
	want := sanitizeLogin(u.Username)
	if want == "" || want == "user" {
		t.Skipf("account name %q does not tell the fallback from the default", u.Username)
	}
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		t.Setenv(v, "")
	}
	if got := localLogin(); got != want {
		t.Fatalf("localLogin() = %q without $USER, want %q (os/user)", got, want)
	}
	t.Setenv("USER", "Fred")
	if got := localLogin(); got != "fred" {
		t.Fatalf("localLogin() = %q with USER=Fred", got)
	}
}

func TestSanitizeLogin(t *testing.T) {
	for in, want := range map[string]string{"Fred": "fred", `CORP\Marc`: "marc", "a b;c": "abc", "": "", "jean-luc.p_1": "jean-luc.p_1"} {
		if got := sanitizeLogin(in); got != want {
			t.Errorf("sanitizeLogin(%q) = %q, want %q", in, got, want)
		}
	}
}
