package main

import "fmt"

// cmdRescan re-indexes the profile's Maildir folders after another program (mutt,
// Dovecot, the local MDA) changed them: only new, gone or renamed files are read.
func cmdRescan(e *env) error {
	fs := newFlags(e, "rescan")
	quiet := fs.Bool("quiet", false, "no progress line")
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	s, p, err := openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	pl := newProgressLine(e.stderr, "scanning "+p.Dir, *quiet)
	st, err := s.Rescan(e.ctx, pl.update)
	pl.finish()
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	fmt.Fprintf(e.stdout, "rescan: %d added, %d removed, %d renamed, %d unchanged",
		st.Added, st.Removed, st.Renamed, st.Unchanged)
	if st.Leftovers > 0 {
		fmt.Fprintf(e.stdout, "; %d unfinished files left in tmp/ by an interrupted writer removed", st.Leftovers)
	}
	fmt.Fprintln(e.stdout)
	return nil
}
