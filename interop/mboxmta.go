//go:build ignore

// Mboxmta runs Facteur's MTA (package localmta) with the mbox spool MDA
// (localmta/mda.Mbox) instead of the mailstore, for interop/mta.sh: mail to
// a local user is appended to DIR/mail/<login>, as to /var/mail/login.
// `facteur mta` always delivers into the Local account's Maildir, so the
// mbox MDA has no command of its own; this is the same MTA with
// Config.Store left nil, which selects the mbox spool.
//
//	go build -o mboxmta interop/mboxmta.go
//	mboxmta -dir DIR -smtp 127.0.0.4:PORT -hostname mail.bidule.net -domains bidule.net -users marc,anne
//
// It runs until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"facteur/localmta"
)

func main() {
	dir := flag.String("dir", "", "MTA directory: queue/, tls/ and the mbox spool mail/")
	addr := flag.String("smtp", "127.0.0.1:0", "SMTP listen address")
	hostname := flag.String("hostname", "localhost", "host name in greetings and Received lines")
	domains := flag.String("domains", "", "local domains besides the host name and localhost, comma-separated")
	users := flag.String("users", "", "logins with a mailbox, comma-separated")
	flag.Parse()
	if *dir == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*dir, *addr, *hostname, split(*domains), split(*users)); err != nil {
		fmt.Fprintln(os.Stderr, "mboxmta:", err)
		os.Exit(1)
	}
}

func run(dir, addr, hostname string, domains, users []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := localmta.New(ctx, localmta.Config{
		Dir:          dir,
		Hostname:     hostname,
		Listeners:    []localmta.Listener{{Addr: addr}},
		LocalDomains: append([]string{hostname, "localhost"}, domains...),
		LocalUsers:   users,
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		return err
	}
	m.Start(ctx)
	<-ctx.Done()
	return m.Close()
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, strings.ToLower(f))
		}
	}
	return out
}
