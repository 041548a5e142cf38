// Command faultproxy runs package facteur/internal/faultproxy between a
// client and a server on loopback, for the interop suite
// (interop/faults.sh): not part of Facteur.
//
//	faultproxy -target HOST:PORT [-listen IP:PORT] [-source IP] [-schedule 'fin@2048,pass'] [-addr-file FILE]
//
// It listens on -listen, a loopback address (by default 127.0.0.1 and a
// port the system chooses; a fixed one lets a client keep its settings
// from one proxy to the next), writes the address
// to -addr-file (written, then renamed) and to standard output, gives the
// n-th connection the n-th fault of -schedule (then pass; see
// faultproxy.ParseFault), connects to the target from -source when
// given, and on SIGINT or SIGTERM prints
// "faultproxy: C connections, F faults, B bytes down" and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"facteur/internal/atomicfile"
	"facteur/internal/faultproxy"
)

func main() {
	target := flag.String("target", "", "HOST:PORT of the server")
	listen := flag.String("listen", "127.0.0.1:0", "loopback IP:PORT to listen on")
	source := flag.String("source", "", "local IP address of the connections to the server")
	schedule := flag.String("schedule", "pass", "faults, one per connection in order: pass, [up:]fin@BYTES, rst@BYTES, stall@BYTES, slow@BYTES:CHUNK:DELAY")
	addrFile := flag.String("addr-file", "", "file to write the listening address to")
	flag.Parse()
	if err := run(*target, *listen, *source, *schedule, *addrFile); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
}

func run(target, listen, source, schedule, addrFile string) error {
	if target == "" {
		return fmt.Errorf("-target HOST:PORT is required")
	}
	if host, _, err := net.SplitHostPort(listen); err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("-listen %q: want a loopback IP:PORT", listen)
	}
	sched, err := faultproxy.ParseSchedule(schedule)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	p, err := faultproxy.Serve(ln, faultproxy.Options{Target: target, Source: source, Schedule: sched})
	if err != nil {
		return err
	}
	defer p.Close()
	if addrFile != "" {
		if err := atomicfile.WriteFile(addrFile, []byte(p.Addr()+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Println(p.Addr())
	<-ctx.Done()
	p.Close()
	fmt.Fprintf(os.Stderr, "faultproxy: %d connections, %d faults, %d bytes down\n",
		p.Accepted(), p.Hits(), p.Forwarded(faultproxy.Down))
	return nil
}
