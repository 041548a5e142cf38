package inspect

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Role is the part a hop plays in the course's model of mail transport.
type Role uint8

const (
	RoleUnknown    Role = iota // the Received field could not be read
	RoleSubmission             // MUA to its MTA (ESMTPSA, authenticated, webmail, local process)
	RoleRelay                  // MTA to MTA
	RoleInternal               // a hand-off inside one host (content filter, queue)
	RoleDelivery               // to the MDA that fills the mailbox (LMTP, local, last hop)
)

var roleNames = [...]string{"unknown", "submission", "relay", "internal", "delivery"}

// String returns the role's JSON name: "submission", "relay", ...
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "unknown"
}

// Course describes the role with the agents of the course (MUA, MTA, MDA).
func (r Role) Course() string {
	switch r {
	case RoleSubmission:
		return "MUA -> MTA (submission)"
	case RoleRelay:
		return "MTA -> MTA (relay)"
	case RoleInternal:
		return "inside one MTA"
	case RoleDelivery:
		return "MTA -> MDA (delivery)"
	}
	return "unreadable"
}

// MarshalText writes the role's name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a role's name.
func (r *Role) UnmarshalText(b []byte) error { return unmarshalName(b, roleNames[:], r) }

// Flags are the remarks on one hop.
type Flags uint16

const (
	FlagClockSkew   Flags = 1 << iota // the hop is dated before the previous one
	FlagBadDate                       // the date is missing or unreadable
	FlagNoTLS                         // between two hosts, nothing says TLS was used
	FlagPrivateIP                     // the client IP is private or link-local
	FlagLoopback                      // the client IP is a loopback address
	FlagRecipientMX                   // the by host is an MX of a recipient's domain (after DNS)
)

var flagNames = [...]string{"clock-skew", "bad-date", "no-tls", "private-ip", "loopback", "recipient-mx"}

// Has tells whether all of x are set.
func (f Flags) Has(x Flags) bool { return f&x == x }

// Names returns the names of the flags set, in a fixed order.
func (f Flags) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// String returns the names joined by commas.
func (f Flags) String() string { return strings.Join(f.Names(), ",") }

// MarshalJSON writes the flags as an array of names.
func (f Flags) MarshalJSON() ([]byte, error) {
	names := f.Names()
	if names == nil {
		names = []string{}
	}
	return json.Marshal(names)
}

// UnmarshalJSON reads an array of names.
func (f *Flags) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return err
	}
	*f = 0
	for _, n := range names {
		i := indexOf(flagNames[:], n)
		if i < 0 {
			return fmt.Errorf("inspect: unknown flag %q", n)
		}
		*f |= 1 << i
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// Seconds is a duration that JSON writes as a number of seconds.
type Seconds time.Duration

func seconds(d time.Duration) *Seconds {
	s := Seconds(d)
	return &s
}

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) }

// String returns "+17 s", "-3 s", "+2 min 5 s", "+1 h 02 min", "+3 d 4 h".
func (s Seconds) String() string {
	var buf [32]byte
	return string(s.appendText(buf[:0]))
}

// appendText appends what String returns to b.
func (s Seconds) appendText(b []byte) []byte {
	d := time.Duration(s).Round(time.Second)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	sec := int64(d / time.Second)
	b = append(b, sign...)
	switch {
	case sec < 60:
		b = append(strconv.AppendInt(b, sec, 10), " s"...)
	case sec < 3600:
		b = append(strconv.AppendInt(b, sec/60, 10), " min "...)
		b = append(strconv.AppendInt(b, sec%60, 10), " s"...)
	case sec < 86400:
		b = append(strconv.AppendInt(b, sec/3600, 10), " h "...)
		b = append(appendTwoDigits(b, sec%3600/60), " min"...)
	default:
		b = append(strconv.AppendInt(b, sec/86400, 10), " d "...)
		b = append(strconv.AppendInt(b, sec%86400/3600, 10), " h"...)
	}
	return b
}

// appendTwoDigits appends n as fmt's %02d does.
func appendTwoDigits(b []byte, n int64) []byte {
	if n >= 0 && n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, n, 10)
}

// MarshalJSON writes the number of seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(s).Seconds(), 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("inspect: seconds: %w", err)
	}
	*s = Seconds(f * float64(time.Second))
	return nil
}
