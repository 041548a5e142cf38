package inspect

import (
	"bytes"
	"strings"
	"testing"
)

// TestDNSUpdateText checks that the lines printed as answers arrive are
// those of the finished report's DNS section, and that the last one says
// plainly when the network is down.
func TestDNSUpdateText(t *testing.T) {
	addr := startDNS(t, newTestZone(t))
	r, updates := resolveFile(t, readTestdata(t, "messages/primary-mx.eml"), addr, Options{})
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(text.String(), "\nDNS (done)\n")
	for _, u := range updates[:len(updates)-1] {
		line := u.Text()
		if u.MX != nil || u.Entry != nil {
			if !strings.Contains(section, "  "+line+"\n") {
				t.Errorf("update line %q is not in the report's DNS section:\n%s", line, section)
			}
		}
	}
	if !strings.Contains(section, "machin.com (recipient): MX 10 smtp.machin.com, MX 20 backup.machin.com") {
		t.Errorf("DNS section:\n%s", section)
	}
	if last := updates[len(updates)-1].Text(); last != "DNS done" {
		t.Errorf("last update %q", last)
	}
	_, updates = resolveFile(t, readTestdata(t, "messages/primary-mx.eml"), closedPort(t), Options{})
	if last := updates[len(updates)-1].Text(); last != "offline: no DNS server could be reached" {
		t.Errorf("offline: last update %q", last)
	}
}
