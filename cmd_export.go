package main

import "fmt"

func cmdExport(e *env) error {
	args, err := parseFlags(newFlags(e, "export"), e.args)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return usageError{"usage: facteur export FOLDER FILE"}
	}
	s, _, err := openStore(e)
	if err != nil {
		return err
	}
	defer s.Close()
	ref, err := existingFolder(e, s, args[0])
	if err != nil {
		return err
	}
	n, err := s.Export(e.ctx, ref, args[1])
	if err != nil {
		return fmt.Errorf("export %s: %w", ref, err)
	}
	fmt.Fprintf(e.stdout, "exported %d messages from %s to %s (mboxrd)\n", n, ref, args[1])
	return nil
}
