// Command faultproxy runs package facteur/internal/faultproxy between a
// client and a server on loopback, for the interop suite
// (interop/faults.sh): not part of Facteur.
//
//	faultproxy -target HOST:PORT -schedule 'fin@2048,pass' [-addr-file FILE]
//
// It listens on 127.0.0.1 (a port the system chooses), writes the address
// to -addr-file (atomically: written, then renamed) and to standard
// output, gives the n-th connection the n-th fault of -schedule (then
// pass; see faultproxy.ParseFault), and on SIGINT or SIGTERM prints
// "faultproxy: C connections, F faults" and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"facteur/internal/faultproxy"
)

func main() {
	target := flag.String("target", "", "HOST:PORT of the server")
	schedule := flag.String("schedule", "pass", "faults, one per connection in order: pass, [up:]fin@BYTES, rst@BYTES, stall@BYTES, slow@BYTES:CHUNK:DELAY")
	addrFile := flag.String("addr-file", "", "file to write the listening address to")
	flag.Parse()
	if err := run(*target, *schedule, *addrFile); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
}

func run(target, schedule, addrFile string) error {
	if target == "" {
		return fmt.Errorf("-target HOST:PORT is required")
	}
	sched, err := faultproxy.ParseSchedule(schedule)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := faultproxy.Start(target, sched)
	if err != nil {
		return err
	}
	defer p.Close()
	if addrFile != "" {
		if err := os.WriteFile(addrFile+".tmp", []byte(p.Addr()+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(addrFile+".tmp", addrFile); err != nil {
			return err
		}
	}
	fmt.Println(p.Addr())
	<-ctx.Done()
	p.Close()
	fmt.Fprintf(os.Stderr, "faultproxy: %d connections, %d faults\n", p.Accepted(), p.Hits())
	return nil
}
