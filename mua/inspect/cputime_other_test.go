//go:build !unix

package inspect

import "time"

// processCPU cannot read the CPU time here.
func processCPU() (time.Duration, bool) { return 0, false }
