package control

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"

	"facteur/localmta/queue"
)

func TestEnqueueIntoTheRunningQueue(t *testing.T) {
	r := startRunning(t)
	c, _, err := Connect(context.Background(), r.dir)
	if err != nil || c == nil {
		t.Fatalf("Connect: %v", err)
	}
	msg := "From: fred@truc.fr\r\nSubject: outbox\r\n\r\nbody é\r\n"
	env := Envelope{From: "fred@truc.fr", Rcpts: []string{"marc@machin.com", "paul@uvsq.fr"}, UTF8: true,
		Relay: &queue.Relay{Account: "truc", Server: "smtp.truc.fr:587"}}
	id, err := c.Enqueue(context.Background(), env, []byte(msg))
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	m, err := r.q.Get(id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	if m.From != env.From || len(m.Rcpts) != 2 || m.Rcpts[1].Addr != "paul@uvsq.fr" || !m.UTF8 ||
		m.Relay == nil || *m.Relay != *env.Relay || m.Size != int64(len(msg)) {
		t.Fatalf("queued %+v", m)
	}
	body, err := r.q.OpenBody(id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if string(got) != msg {
		t.Fatalf("body %q, want %q", got, msg)
	}
}

func TestEnqueueRefusedByTheClient(t *testing.T) {
	r := startRunning(t)
	c, _, err := Connect(context.Background(), r.dir)
	if err != nil || c == nil {
		t.Fatalf("Connect: %v", err)
	}
	tests := []struct {
		name string
		env  Envelope
		size int
		want error
	}{
		{"no recipient", Envelope{From: "fred@truc.fr"}, 10, ErrBadEnvelope},
		{"line break in an address", Envelope{From: "fred@truc.fr", Rcpts: []string{"a@b.fr\r\nRCPT TO:<x@y>"}}, 10, ErrBadEnvelope},
		{"empty recipient", Envelope{From: "fred@truc.fr", Rcpts: []string{""}}, 10, ErrBadEnvelope},
		{"too big", Envelope{From: "fred@truc.fr", Rcpts: []string{"marc@machin.com"}}, MaxEnqueueBytes + 1, ErrTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Enqueue(context.Background(), tt.env, make([]byte, tt.size)); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	bad := &Client{info: c.Info()}
	bad.info.Token = "nope"
	env := Envelope{From: "fred@truc.fr", Rcpts: []string{"marc@machin.com"}}
	if _, err := bad.Enqueue(context.Background(), env, []byte("x\r\n")); !errors.Is(err, ErrDenied) {
		t.Fatalf("bad token: %v", err)
	}
	if n := len(r.q.List()); n != 0 {
		t.Fatalf("%d messages queued", n)
	}
}

// rawEnqueue talks the protocol line by line, as a client that misbehaves.
func rawEnqueue(t *testing.T, info Info, first string, rest ...string) []string {
	t.Helper()
	conn, err := net.Dial("tcp", info.Control)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := textproto.NewReader(bufio.NewReader(conn))
	fmt.Fprintf(conn, "%s %s\r\n", info.Token, first)
	var replies []string
	line, err := r.ReadLine()
	if err != nil {
		t.Fatal(err)
	}
	replies = append(replies, line)
	if line != "GO" {
		return replies
	}
	for _, part := range rest {
		io.WriteString(conn, part)
	}
	conn.(*net.TCPConn).CloseWrite()
	if line, err = r.ReadLine(); err == nil {
		replies = append(replies, line)
	}
	return replies
}

func TestEnqueueProtocolErrors(t *testing.T) {
	r := startRunning(t)
	env := `{"from":"fred@truc.fr","rcpts":["marc@machin.com"]}`
	tests := []struct {
		name  string
		first string
		rest  []string
		want  []string
	}{
		{"no sizes", "ENQUEUE", nil, []string{"ERR PROTOCOL "}},
		{"negative size", "ENQUEUE 10 -1", nil, []string{"ERR PROTOCOL "}},
		{"message too big", fmt.Sprintf("ENQUEUE 10 %d", MaxEnqueueBytes+1), nil, []string{"ERR TOOBIG "}},
		{"envelope too big", fmt.Sprintf("ENQUEUE %d 10", maxEnvelope+1), nil, []string{"ERR ENVELOPE "}},
		{"cut message", fmt.Sprintf("ENQUEUE %d 100", len(env)), []string{env, "Subject: cut\r\n"}, []string{"GO", "ERR FAIL "}},
		{"bad JSON", "ENQUEUE 5 3", []string{"{nope", "x\r\n"}, []string{"GO", "ERR PROTOCOL "}},
		{"no recipient", "ENQUEUE 11 3", []string{`{"from":""}`, "x\r\n"}, []string{"GO", "ERR ENVELOPE "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rawEnqueue(t, r.srv.Info(), tt.first, tt.rest...)
			if len(got) != len(tt.want) {
				t.Fatalf("replies %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Fatalf("replies %q, want %q", got, tt.want)
				}
			}
		})
	}
	if n := len(r.q.List()); n != 0 {
		t.Fatalf("%d messages queued by bad requests", n)
	}
}

func TestEnvelopeOf(t *testing.T) {
	m := queue.Message{From: "fred@truc.fr", UTF8: true, Relay: &queue.Relay{Account: "truc"},
		Rcpts: []queue.Rcpt{{Addr: "marc@machin.com"}, {Addr: "paul@uvsq.fr"}}}
	env := EnvelopeOf(m)
	back := env.message()
	if back.From != m.From || !back.UTF8 || back.Relay != m.Relay || len(back.Rcpts) != 2 || back.Rcpts[1].Addr != "paul@uvsq.fr" {
		t.Fatalf("EnvelopeOf then message: %+v", back)
	}
}
