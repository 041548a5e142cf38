package faultproxy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax: a fault's text (ParseFault) is malformed.
var ErrSyntax = errors.New("faultproxy: bad fault")

// ParseFault reads a fault written as the command (cmd/faultproxy) takes
// it: "pass", or [up:]ACTION@BYTES where ACTION is fin, rst, stall or
// slow, BYTES the bytes passed before it (from the server unless up:);
// slow takes :CHUNK:DELAY after, as "slow@0:64:1ms".
func ParseFault(s string) (Fault, error) {
	var f Fault
	if s == "pass" {
		return f, nil
	}
	if rest, ok := strings.CutPrefix(s, "up:"); ok {
		f.Dir, s = Up, rest
	}
	name, arg, ok := strings.Cut(s, "@")
	if !ok {
		return f, fmt.Errorf("%w %q: want pass or ACTION@BYTES", ErrSyntax, s)
	}
	switch name {
	case "fin":
		f.Action = CutFIN
	case "rst":
		f.Action = CutRST
	case "stall":
		f.Action = Stall
	case "slow":
		f.Action = Slow
	default:
		return f, fmt.Errorf("%w %q: unknown action %q (fin, rst, stall, slow)", ErrSyntax, s, name)
	}
	parts := strings.Split(arg, ":")
	if f.Action == Slow && len(parts) != 3 || f.Action != Slow && len(parts) != 1 {
		return f, fmt.Errorf("%w %q: want %s@BYTES%s", ErrSyntax, s, name, map[bool]string{true: ":CHUNK:DELAY"}[f.Action == Slow])
	}
	var err error
	if f.After, err = strconv.ParseInt(parts[0], 10, 64); err != nil || f.After < 0 {
		return f, fmt.Errorf("%w %q: bytes %q", ErrSyntax, s, parts[0])
	}
	if f.Action != Slow {
		return f, nil
	}
	if f.Chunk, err = strconv.Atoi(parts[1]); err != nil || f.Chunk < 1 {
		return f, fmt.Errorf("%w %q: chunk %q", ErrSyntax, s, parts[1])
	}
	if f.Delay, err = time.ParseDuration(parts[2]); err != nil || f.Delay < 0 {
		return f, fmt.Errorf("%w %q: delay %q", ErrSyntax, s, parts[2])
	}
	return f, nil
}

// ParseSchedule reads faults separated by commas, one per connection in
// order (Sequence): "fin@2000,pass".
func ParseSchedule(s string) (Schedule, error) {
	var faults []Fault
	for _, part := range strings.Split(s, ",") {
		f, err := ParseFault(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		faults = append(faults, f)
	}
	return Sequence(faults...), nil
}
