package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"facteur/internal/profile"
	"facteur/internal/sieve"
	"facteur/mailstore"
	"facteur/mua/account"
	"facteur/mua/filter"
	"facteur/mua/mailer"
)

const filterUsage = "filter check|install|show|test|run [--account NAME] [--folder F] [FILE]"

// cmdFilter manages the accounts' mail filters, one Sieve script each
// (mua/filter): `facteur filter check FILE`, `install [--account NAME]
// FILE`, `show [--account NAME]`, `test [--account NAME] [--folder F]
// [FILE]` (a dry run that explains every match and changes nothing) and
// `run [--account NAME] --folder F` (apply now to the mail there). The
// account is Local unless named.
func cmdFilter(e *env) error {
	if len(e.args) == 0 {
		return usageError{"usage: facteur " + filterUsage}
	}
	sub, e2 := e.args[0], *e
	e2.args = e.args[1:]
	switch sub {
	case "check":
		return filterCheck(&e2)
	case "install":
		return filterInstall(&e2)
	case "show":
		return filterShow(&e2)
	case "test":
		return filterTest(&e2)
	case "run":
		return filterRun(&e2)
	}
	return usageError{"usage: facteur " + filterUsage}
}

// filterFlags are the options of the filter subcommands.
type filterFlags struct {
	account, folder string
	limit           int
	pos             []string
}

func parseFilterFlags(e *env, name string) (filterFlags, error) {
	fs := newFlags(e, "filter "+name)
	var f filterFlags
	fs.StringVar(&f.account, "account", filter.LocalAccount, "the account whose script it is")
	fs.StringVar(&f.folder, "folder", filter.Inbox, "the account's folder (test, run)")
	fs.IntVar(&f.limit, "limit", 0, "test: at most N messages, newest first (0: all)")
	pos, err := parseFlags(fs, e.args)
	f.pos = pos
	return f, err
}

// readScript compiles a script file ("-": standard input) for an account.
func readScript(e *env, path, acct string) (*sieve.Script, error) {
	var src []byte
	var err error
	if path == "-" {
		src, err = io.ReadAll(io.LimitReader(e.stdin, sieve.MaxScriptBytes+1))
	} else {
		src, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	return sieve.Compile(path, src, filter.HostOf(acct))
}

// filterCheck checks a script's syntax and extensions: `path:line:col:
// message` on error, exit 1.
func filterCheck(e *env) error {
	f, err := parseFilterFlags(e, "check")
	if err != nil {
		return err
	}
	if len(f.pos) != 1 {
		return usageError{"usage: facteur filter check [--account NAME] FILE"}
	}
	if _, err := readScript(e, f.pos[0], f.account); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok\n", f.pos[0])
	return nil
}

// filterEnv is what the subcommands that read the store need.
type filterEnv struct {
	store *mailstore.Store
	prof  profile.Profile
	acct  account.Account
	opt   filter.Options
}

// openFilterEnv opens the store and finds the account: Local, or one of
// the profile's accounts.
func openFilterEnv(e *env, name string) (*filterEnv, error) {
	s, p, err := openStore(e)
	if err != nil {
		return nil, err
	}
	fe := &filterEnv{store: s, prof: p, opt: filter.Options{Store: s, Scripts: sieve.OpenScripts(p.FiltersDir()),
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}}
	if name == filter.LocalAccount {
		fe.acct = account.Account{Name: name}
		return fe, nil
	}
	list, err := account.OpenBook(p.ConfigFile()).List()
	if err != nil {
		s.Close()
		return nil, err
	}
	var names []string
	for _, a := range list {
		if a.Name == name {
			fe.acct = a
			return fe, nil
		}
		names = append(names, a.Name)
	}
	s.Close()
	return nil, fmt.Errorf("no account %q (accounts: %s)", name, strings.Join(append(names, filter.LocalAccount), ", "))
}

func filterInstall(e *env) error {
	f, err := parseFilterFlags(e, "install")
	if err != nil {
		return err
	}
	if len(f.pos) != 1 {
		return usageError{"usage: facteur filter install [--account NAME] FILE"}
	}
	fe, err := openFilterEnv(e, f.account)
	if err != nil {
		return err
	}
	defer fe.store.Close()
	s, err := readScript(e, f.pos[0], f.account)
	if err != nil {
		return err
	}
	if err := filter.Install(e.ctx, fe.opt, f.account, s.Source); err != nil {
		return err
	}
	path, _ := fe.opt.Scripts.Path(f.account)
	fmt.Fprintf(e.stdout, "%s: installed as %s\n", f.account, path)
	return nil
}

func filterShow(e *env) error {
	f, err := parseFilterFlags(e, "show")
	if err != nil {
		return err
	}
	p, err := profile.Open(e.profile)
	if err != nil {
		return err
	}
	src, err := sieve.OpenScripts(p.FiltersDir()).Read(f.account)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", filter.ErrNoScript, f.account)
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(src)
	return err
}

// filterTest is the dry run: for each message of the folder, newest
// first, the rules that matched, on what, and what would happen.
func filterTest(e *env) error {
	f, err := parseFilterFlags(e, "test")
	if err != nil {
		return err
	}
	if len(f.pos) > 1 {
		return usageError{"usage: facteur filter test [--account NAME] [--folder F] [--limit N] [FILE]"}
	}
	var script *sieve.Script
	if len(f.pos) == 1 {
		if script, err = readScript(e, f.pos[0], f.account); err != nil {
			return err
		}
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		a, err := filterAccount(m, f.account)
		if err != nil {
			return err
		}
		return m.DryRun(e.ctx, a, f.folder, script, f.limit, func(r filter.Report) { printReport(e.stdout, r) })
	})
}

// filterAccount is the account of that name, or the Local account.
func filterAccount(m *mailer.Mailer, name string) (account.Account, error) {
	if name == filter.LocalAccount {
		return account.Account{Name: name}, nil
	}
	a, err := m.Account(name)
	if err != nil {
		return a, fmt.Errorf("no account %q: %w", name, err)
	}
	return a, nil
}

// printReport prints the dry run of one message.
func printReport(w io.Writer, r filter.Report) {
	fmt.Fprintf(w, "%d  %s  %s\n", r.Message.ID, clip(sender(r.Message.From), 28), r.Message.Subject)
	if r.Explain == nil {
		fmt.Fprintf(w, "    error: %v (stays where it is)\n", r.Err)
		return
	}
	for _, rule := range r.Explain.Rules {
		if rule.Test == "" {
			continue
		}
		fmt.Fprintf(w, "    matched %s\n", rule)
		for _, m := range rule.Matched {
			fmt.Fprintf(w, "      on %s\n", m)
		}
	}
	if r.Err != nil {
		fmt.Fprintf(w, "    error: %v (stays where it is)\n", r.Err)
	}
	if r.HeaderOnly != nil {
		fmt.Fprintf(w, "    note: %v: its body tests saw the header only\n", r.HeaderOnly)
	}
	for _, a := range r.Explain.Actions {
		fmt.Fprintf(w, "    -> %s\n", a)
	}
}

// filterRun applies the account's script to a folder now. An IMAP
// account's changes go through its journaled Syncer and reach the server
// before the command ends.
func filterRun(e *env) error {
	f, err := parseFilterFlags(e, "run")
	if err != nil {
		return err
	}
	if len(f.pos) != 0 {
		return usageError{"usage: facteur filter run [--account NAME] [--folder F]"}
	}
	return withMailer(e, func(m *mailer.Mailer) error {
		a, err := filterAccount(m, f.account)
		if err != nil {
			return err
		}
		st, err := m.RunFilters(e.ctx, a, f.folder)
		if st.Messages > 0 || err == nil {
			fmt.Fprintf(e.stdout, "%s: %s\n", a.Name, st)
		}
		var wait *mailer.ChangesWaitError
		if err != nil && !errors.As(err, &wait) {
			err = explain(err)
		}
		return err
	})
}
