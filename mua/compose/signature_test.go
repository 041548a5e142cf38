package compose

import (
	"testing"

	"facteur/mua/account"
)

func TestSwapSignature(t *testing.T) {
	tests := []struct {
		name, body, old, new string
		want                 string
		swapped              bool
	}{
		{"replaced", "Hello\n\n-- \nMarc\n", "Marc", "Le président\nClub", "Hello\n\n-- \nLe président\nClub\n", true},
		{"added to an unsigned body", "Hello", "", "Marc", "Hello\n\n-- \nMarc\n", true},
		{"removed", "Hello\n\n-- \nMarc\n", "Marc", "", "Hello", true},
		{"CRLF signature", "Hello\n\n-- \nA\nB\n", "A\r\nB\r\n", "C", "Hello\n\n-- \nC\n", true},
		{"edited signature kept", "Hello\n\n-- \nMarc (mobile)\n", "Marc", "Paul", "Hello\n\n-- \nMarc (mobile)\n", false},
		{"text typed after it kept", "Hello\n\n-- \nMarc\nPS: hi\n", "Marc", "Paul", "Hello\n\n-- \nMarc\nPS: hi\n", false},
		{"no signature, none wanted", "Hello", "", "", "Hello", true},
	}
	for _, tt := range tests {
		got, ok := SwapSignature(tt.body, tt.old, tt.new)
		if got != tt.want || ok != tt.swapped {
			t.Errorf("%s: SwapSignature = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.swapped)
		}
	}
}

// TestSwapAfterBuilders: the block the builders append is the one that
// SwapSignature recognises, for a new message, a reply and a forward.
func TestSwapAfterBuilders(t *testing.T) {
	o := orig(t)
	fwd, _ := Forward(o, marc)
	for name, d := range map[string]Draft{"new": New(marc), "reply": Reply(o, marc), "forward": fwd} {
		if _, ok := SwapSignature(d.Body, marc.Signature, "x"); !ok {
			t.Errorf("%s: signature of %q not recognised", name, d.Body)
		}
	}
}

func TestReplyIdentity(t *testing.T) {
	a := account.Account{Identity: marc, Identities: []account.Identity{
		{Name: "Président", Address: "president@club.example", Signature: "Le président"},
		{Address: "jacques@urec.fr"},
	}}
	tests := []struct {
		name, to, cc, delivery, want string
	}{
		{"to the main address", "Marc <marc@machin.com>", "", "", "marc@machin.com"},
		{"to another identity", "Bureau <bureau@club.example>, President@Club.example", "", "", "president@club.example"},
		{"in Cc", "fred@truc.fr", "jacques@urec.fr", "", "jacques@urec.fr"},
		{"to none: main", "fred@truc.fr", "", "", "marc@machin.com"},
		// a list's message, or a Bcc: the envelope recipient the MDA recorded
		{"Delivered-To (a list)", "liste@lists.example", "", "Delivered-To: President@club.example\r\n", "president@club.example"},
		{"X-Original-To in brackets", "undisclosed-recipients:;", "", "X-Original-To: <jacques@urec.fr>\r\n", "jacques@urec.fr"},
		{"Envelope-To (Exim)", "liste@lists.example", "", "Envelope-To: jacques@urec.fr\r\n", "jacques@urec.fr"},
		{"To wins over Delivered-To", "marc@machin.com", "", "Delivered-To: jacques@urec.fr\r\n", "marc@machin.com"},
		{"the last hop's first", "liste@lists.example", "",
			"Delivered-To: jacques@urec.fr\r\nDelivered-To: president@club.example\r\n", "jacques@urec.fr"},
		{"delivered to none: main", "liste@lists.example", "", "Delivered-To: fred@truc.fr\r\n", "marc@machin.com"},
	}
	for _, tt := range tests {
		raw := tt.delivery + "From: fred@truc.fr\r\nTo: " + tt.to + "\r\nCc: " + tt.cc + "\r\nSubject: x\r\n\r\nhi\r\n"
		o, err := ParseOriginal([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := ReplyIdentity(a, o.Msg); got.Address != tt.want {
			t.Errorf("%s: ReplyIdentity = %q, want %q", tt.name, got.Address, tt.want)
		}
	}
}

// TestReplyAllLeavesEveryIdentityOut: answering from one identity, Reply
// all drops the account's other addresses too.
func TestReplyAllLeavesEveryIdentityOut(t *testing.T) {
	a := account.Account{Identity: marc, Identities: []account.Identity{{Address: "president@club.example"}}}
	raw := "From: fred@truc.fr\r\nTo: president@club.example, marc@machin.com, paul@uvsq.fr\r\nSubject: x\r\n\r\nhi\r\n"
	o, err := ParseOriginal([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	d := ReplyAll(o, ReplyIdentity(a, o.Msg))
	if d.From.Address != "president@club.example" || d.To != "fred@truc.fr, paul@uvsq.fr" {
		t.Errorf("reply all from %q to %q", d.From.Address, d.To)
	}
}
