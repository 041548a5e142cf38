package inspect

import (
	"math"
	"slices"
	"testing"
)

func TestRouteRolesAndFlags(t *testing.T) {
	tests := []struct {
		file  string
		roles []Role
		flags []Flags // per hop, the flags that must be set (others may be too)
		clear []Flags // per hop, flags that must not be set
	}{
		{file: "course-example.eml",
			roles: []Role{RoleSubmission, RoleRelay, RoleDelivery},
			flags: []Flags{FlagNoTLS, FlagNoTLS, FlagNoTLS}},
		{file: "messages/gmail-to-postfix.eml",
			roles: []Role{RoleSubmission, RoleRelay, RoleRelay, RoleInternal, RoleInternal, RoleDelivery},
			flags: []Flags{0, 0, 0, FlagLoopback, FlagLoopback, FlagLoopback},
			clear: []Flags{FlagNoTLS, FlagNoTLS, FlagNoTLS | FlagClockSkew, FlagNoTLS, FlagNoTLS, FlagNoTLS}},
		{file: "messages/bcc.eml",
			roles: []Role{RoleSubmission, RoleDelivery},
			clear: []Flags{FlagNoTLS, FlagNoTLS}},
		{file: "messages/skew.eml",
			roles: []Role{RoleSubmission, RoleRelay, RoleUnknown, RoleRelay, RoleDelivery},
			flags: []Flags{FlagPrivateIP | FlagNoTLS, FlagBadDate, FlagBadDate, 0, FlagClockSkew},
			clear: []Flags{FlagClockSkew, 0, 0, FlagClockSkew, 0}},
		{file: "messages/exchange.eml",
			roles: []Role{RoleSubmission, RoleRelay, RoleDelivery},
			flags: []Flags{FlagPrivateIP, 0, 0},
			clear: []Flags{FlagNoTLS, FlagNoTLS, FlagNoTLS}},
		{file: "messages/qmail.eml",
			roles: []Role{RoleSubmission, RoleRelay, RoleDelivery},
			flags: []Flags{0, FlagNoTLS, 0},
			clear: []Flags{FlagNoTLS, 0, FlagNoTLS}},
		{file: "messages/secondary-mx.eml",
			roles: []Role{RoleRelay, RoleDelivery},
			flags: []Flags{FlagNoTLS, 0},
			clear: []Flags{0, FlagNoTLS}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := analyzeFile(t, tt.file, Options{})
			var roles []Role
			for _, h := range r.Route.Hops {
				roles = append(roles, h.Role)
			}
			if !slices.Equal(roles, tt.roles) {
				t.Errorf("roles = %v, want %v", roles, tt.roles)
			}
			for i, h := range r.Route.Hops {
				if i < len(tt.flags) && !h.Flags.Has(tt.flags[i]) {
					t.Errorf("hop %d flags = %v, want %v set", i+1, h.Flags, tt.flags[i])
				}
				if i < len(tt.clear) && h.Flags&tt.clear[i] != 0 {
					t.Errorf("hop %d flags = %v, want %v clear", i+1, h.Flags, tt.clear[i])
				}
			}
		})
	}
}

func TestSecondsString(t *testing.T) {
	for d, want := range map[Seconds]string{
		Seconds(17e9): "+17 s", Seconds(-3e9): "-3 s", Seconds(125e9): "+2 min 5 s",
		Seconds(3720e9): "+1 h 02 min", Seconds(97200e9): "+1 d 3 h", 0: "+0 s",
		Seconds(59.5e9): "+1 min 0 s", Seconds(-3599e9): "-59 min 59 s", Seconds(36000e9): "+10 h 00 min",
		Seconds(-86399e9): "-23 h 59 min", Seconds(86400e9 * 400): "+400 d 0 h", Seconds(math.MaxInt64): "+106751 d 23 h",
	} {
		if got := d.String(); got != want {
			t.Errorf("%d: %q, want %q", int64(d), got, want)
		}
	}
}

func TestFlagsJSON(t *testing.T) {
	f := FlagNoTLS | FlagRecipientMX
	b, err := f.MarshalJSON()
	if err != nil || string(b) != `["no-tls","recipient-mx"]` {
		t.Fatalf("%s %v", b, err)
	}
	var back Flags
	if err := back.UnmarshalJSON(b); err != nil || back != f {
		t.Errorf("round trip: %v %v", back, err)
	}
	if err := back.UnmarshalJSON([]byte(`["nope"]`)); err == nil {
		t.Error("unknown flag accepted")
	}
	if b, _ := Flags(0).MarshalJSON(); string(b) != "[]" {
		t.Errorf("no flags: %s", b)
	}
}

// TestIsInternalLoopback: a loopback client is a hand-off inside one host
// (content filters), except a named peer, as distinct hosts on 127.0.0.x
// are in Facteur's own test networks.
func TestIsInternalLoopback(t *testing.T) {
	tests := []struct {
		field    string
		internal bool
	}{
		{"from localhost (localhost [127.0.0.1]) by mx.example.com (Postfix) with ESMTP id 1", true},
		{"from mx.example.com (localhost [127.0.0.1]) by imap.example.com (Postfix) with LMTP id 2", true},
		{"from mx.example.com ([127.0.0.1]) by localhost (mx.example.com [127.0.0.1]) with ESMTP id 3", true},
		{"from mail.example.com (mail.example.com [127.0.1.1]) by mail.example.com with ESMTP id 4", true},
		{"from filter (localhost.localdomain [127.0.0.1]) by mail.example.com with ESMTP id 5", true},
		{"from localhost.localdomain (localhost.localdomain [127.0.0.1]) by mail.example.com with ESMTP id 6", true},
		{"from smtp.truc.fr (smtp.truc.fr [127.0.0.2]) by relais.truc.fr (Facteur) with ESMTPS id 7", false},
		{"from smtp.truc.fr (unknown [127.0.0.2]) by relais.truc.fr (Facteur) with ESMTPS id 8", true},
		{"from a.example.org (a.example.org [192.0.2.1]) by b.example.org with ESMTP id 9", false},
	}
	for _, tt := range tests {
		h := ParseReceived(tt.field)
		if got := isInternal(&h); got != tt.internal {
			t.Errorf("isInternal(%q) = %v, want %v", tt.field, got, tt.internal)
		}
	}
}
