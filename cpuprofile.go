package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// cpuProfileEnv names a file prefix: when set, the command writes a CPU
// profile of its run to PREFIX.PID (go tool pprof reads it), for the
// benchmarks of bench/ that time whole processes.
const cpuProfileEnv = "FACTEUR_CPUPROFILE"

// startCPUProfile starts the profile $FACTEUR_CPUPROFILE asks for; the
// function it returns stops it.
func startCPUProfile() func() {
	prefix := os.Getenv(cpuProfileEnv)
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "facteur:", cpuProfileEnv+":", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "facteur:", cpuProfileEnv+":", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
