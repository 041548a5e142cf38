package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// cpuProfileEnv names a file prefix: when set, the command writes a CPU
// profile of its run to PREFIX.PID (go tool pprof reads it), for the
// benchmarks of bench/ that time whole processes. memProfileEnv does the
// same for a heap profile written at the end of the run (its
// alloc_space view counts every allocation of the run; bench/gui-rss.sh).
const (
	cpuProfileEnv = "FACTEUR_CPUPROFILE"
	memProfileEnv = "FACTEUR_MEMPROFILE"
)

// startCPUProfile starts the profiles $FACTEUR_CPUPROFILE and
// $FACTEUR_MEMPROFILE ask for; the function it returns writes them.
func startCPUProfile() func() {
	stopMem := startMemProfile()
	prefix := os.Getenv(cpuProfileEnv)
	if prefix == "" {
		return stopMem
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "facteur:", cpuProfileEnv+":", err)
		return stopMem
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "facteur:", cpuProfileEnv+":", err)
		f.Close()
		return stopMem
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		stopMem()
	}
}

// startMemProfile samples every 64 KiB allocated when $FACTEUR_MEMPROFILE
// is set; the function it returns writes the heap profile.
func startMemProfile() func() {
	prefix := os.Getenv(memProfileEnv)
	if prefix == "" {
		return func() {}
	}
	runtime.MemProfileRate = 64 << 10
	return func() {
		f, err := os.Create(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
		if err == nil {
			runtime.GC()
			err = pprof.WriteHeapProfile(f)
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "facteur:", memProfileEnv+":", err)
		}
	}
}
