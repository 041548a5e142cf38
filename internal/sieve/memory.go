package sieve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"time"

	"facteur/internal/filelock"
)

// VacationMemory remembers, in a file of the profile, until when each
// sender was answered by each vacation (RFC 5230 §4.1's :days): one JSON
// object of hashed keys and expiry times, rewritten atomically under a
// lock that Facteur's processes share (the MTA, the app, `facteur sync`).
type VacationMemory struct {
	path string
}

// OpenVacationMemory returns the memory kept in dir (the profile's
// filters directory).
func OpenVacationMemory(dir string) *VacationMemory {
	return &VacationMemory{path: filepath.Join(dir, "vacation.json")}
}

func memKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// Claim records that key is answered until the time given, unless it
// was already and its time is not over: then it reports false. Entries
// that are over are forgotten.
func (m *VacationMemory) Claim(ctx context.Context, key string, now, until time.Time) (bool, error) {
	claimed := false
	err := m.update(ctx, func(seen map[string]time.Time) bool {
		k := memKey(key)
		if t, ok := seen[k]; ok && now.Before(t) {
			return false
		}
		for old, t := range seen {
			if !now.Before(t) {
				delete(seen, old)
			}
		}
		seen[k], claimed = until, true
		return true
	})
	return claimed, err
}

// update reads the memory under its lock and writes it back when f says
// it changed.
func (m *VacationMemory) update(ctx context.Context, f func(map[string]time.Time) bool) error {
	return filelock.UpdateJSON(ctx, m.path, f)
}
