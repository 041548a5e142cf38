package imapd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestIDClient: go-imap's client sees the ID capability before and after
// login, and ID gives the server's name and version and records the
// client's in the session log.
func TestIDClient(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Version = "1.2.3" })
	c, err := imapclient.DialInsecure(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Caps().Has(imap.CapID) {
		t.Errorf("capability ID missing before login: %v", c.Caps())
	}
	got, err := c.ID(&imap.IDData{Name: "imapclient", Version: "2.0", OS: "linux"}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	want := imap.IDData{Name: "Facteur", Version: "1.2.3", Vendor: "Facteur"}
	if *got != want {
		t.Errorf("ID answer = %+v, want %+v", *got, want)
	}
	if s := ts.srv.Sessions(); len(s) != 1 || s[0].ClientID != "imapclient 2.0" {
		t.Errorf("sessions = %+v, want ClientID %q", s, "imapclient 2.0")
	}
	if err := c.Login("marc", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Has(imap.CapID) {
		t.Errorf("capability ID missing after login: %v", caps)
	}
	if got, err := c.ID(nil).Wait(); err != nil || got.Name != "Facteur" {
		t.Errorf("ID NIL after login = %+v, %v", got, err)
	}
}

// idPairs is a list of n field-value pairs.
func idPairs(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, `"x-field-%d" "v"`, i)
	}
	return "(" + b.String() + ")"
}

// TestIDCommand sends ID with valid and invalid arguments, before and
// after login: the answer, the untagged ID, what the session log keeps,
// and that the session goes on.
func TestIDCommand(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, args string
		ok         bool
		clientID   string
	}{
		{"NIL", "NIL", true, ""},
		{"nil lower case", "nil", true, ""},
		{"empty list", "()", true, ""},
		{"name and version", `("name" "mutt" "version" "2.2.13")`, true, "mutt 2.2.13"},
		{"NIL value", `("name" "mutt" "version" NIL)`, true, "mutt"},
		{"field case", `("NAME" "Thunderbird" "Version" "128")`, true, "Thunderbird 128"},
		{"unknown fields", `("x-id" "1" "name" "aerc")`, true, "aerc"},
		{"literal", "(\"name\" {4+}\r\nneo\"" + ")", true, `neo"`},
		{"control characters", "(\"name\" {5+}\r\nm\tu\x01t)", true, "m u t"},
		{"30 pairs", idPairs(30), true, ""},
		{"31 pairs", idPairs(31), false, ""},
		{"field of 30", `("` + long(30) + `" "v")`, true, ""},
		{"field of 31", `("` + long(31) + `" "v")`, false, ""},
		{"value of 1024", `("name" "` + long(1024) + `")`, true, long(1024)},
		{"value of 1025", `("name" "` + long(1025) + `")`, false, ""},
		{"field twice", `("name" "a" "NAME" "b")`, false, ""},
		{"no argument", "", false, ""},
		{"atom", "foo", false, ""},
		{"field without value", `("name")`, false, ""},
		{"NIL field", `(NIL "x")`, false, ""},
		{"unclosed", `("name" "x"`, false, ""},
		{"trailing", `NIL x`, false, ""},
	}
	ts := startServer(t, func(c *Config) { c.Version = "0.9" })
	for _, login := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/login=%v", tt.name, login), func(t *testing.T) {
				c := dialRaw(t, ts.addr)
				defer c.close()
				if login {
					c.command(t, "l LOGIN marc secret")
				}
				line := "i ID"
				if tt.args != "" {
					line += " " + tt.args
				}
				untagged, got := c.commandLines(t, line)
				if ok := strings.HasPrefix(got, "i OK"); ok != tt.ok {
					t.Fatalf("%q: answer %q, want OK %v", line, got, tt.ok)
				}
				wantLine := `* ID ("name" "Facteur" "version" "0.9" "vendor" "Facteur")` + "\r\n"
				if tt.ok && (len(untagged) != 1 || untagged[0] != wantLine) {
					t.Errorf("untagged = %q, want %q", untagged, wantLine)
				}
				if !tt.ok && len(untagged) != 0 {
					t.Errorf("untagged after BAD = %q", untagged)
				}
				if got := c.command(t, "n NOOP"); !strings.HasPrefix(got, "n OK") {
					t.Fatalf("session broken after %q: %s", line, got)
				}
				if got := ts.clientID(t, c); got != tt.clientID {
					t.Errorf("ClientID = %q, want %q", got, tt.clientID)
				}
			})
		}
	}
}

// clientID is the ClientID of the open session of c.
func (ts *testServer) clientID(t *testing.T, c *rawConn) string {
	t.Helper()
	addr := c.conn.LocalAddr().String()
	for _, s := range ts.srv.Sessions() {
		if s.Client == addr && s.Ended.IsZero() {
			return s.ClientID
		}
	}
	t.Fatalf("no open session of %s in %+v", addr, ts.srv.Sessions())
	return ""
}
