// Command facteur is a desktop mail client with a header inspector and a bundled
// local MTA/MDA. Without arguments it opens the GUI; subcommands give the same
// store to scripts and tests without a window:
//
//	facteur [--profile DIR]                       open the GUI
//	facteur version
//	facteur import [--folder NAME] FILE|DIR       mbox, Maildir or .eml into the Local account, once
//	facteur search [--folder F] [--json] QUERY    one line per message, like notmuch search
//	facteur folder create|rename|delete ACCOUNT PATH [NEW]  folders of any account, on its server too
//	facteur export FOLDER FILE                    a folder as an mboxrd file
//	facteur rescan                                re-index Maildirs another program changed
//	facteur screenshot --out FILE.png --view NAME render a view of the demo profile
//	facteur inspect [--json] [--dns S] ID|FILE|-  envelope, Received route, DNS MX
//	facteur mta | mailq | queue | sendmail        the local MTA/MDA and its POP3 server
//	facteur account add|list|remove|test|authorize  remote IMAP/POP3 accounts (OAuth2 too)
//	facteur sync [--offline] [ACCOUNT]            fetch their mail into the offline store
//	facteur filter check|install|show|test|run    the accounts' Sieve filters, with a dry run
//	facteur route [--account N] [--json] ADDR...  the delivery preview: path, MX, MTA-STS, DANE
//	facteur send [--to ADDR]... | 'mailto:...'     send through an account (outbox when offline)
//	facteur register-mailto                       make Facteur the desktop's mailto: handler
//
// --profile DIR (or FACTEUR_PROFILE) chooses the profile directory on every command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	_ "facteur/internal/localeenv" // before Fyne reads the locale
)

// Version is Facteur's version, printed by `facteur version` and the About box.
// Release builds set it with -ldflags "-X main.Version=...".
var Version = "0.1.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	stopProfile := startCPUProfile()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

// env is what a command gets: its arguments, the streams and the global options.
type env struct {
	ctx     context.Context
	args    []string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	profile string // --profile value, "" when not given
}

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(e *env) error
}

func commands() []command {
	return []command{
		{"version", "version", "print the version", cmdVersion},
		{"import", importUsage, "import an mbox file, a Maildir or .eml files into the Local account (what the folder holds already is skipped)", cmdImport},
		{"search", "search [--folder F] [--json] [--limit N] QUERY", "search the store (words, \"phrases\", from:, to:, subject:)", cmdSearch},
		{"flag", flagUsage, "add or remove flags of messages (ids of search --json); an IMAP server gets the change now, or with the next sync", cmdFlag},
		{"move", moveUsage, "move messages (ids of search --json) to a folder (ACCOUNT/NAME, or NAME in the messages' account)", cmdMove},
		{"delete", deleteUsage, "move messages (ids of search --json) to their account's Trash, as the Delete key", cmdDelete},
		{"folder", folderUsage, "create, rename or delete a folder of any account (an IMAP account's on its server too)", cmdFolder},
		{"export", "export FOLDER FILE", "write a folder as an mboxrd file", cmdExport},
		{"inspect", "inspect [--json] [--dns SERVER[:PORT]] [--no-dns] [--timeout 5s] ID|FILE|-", "show a message's envelope, route hop by hop and DNS MX", cmdInspect},
		{"rescan", "rescan", "re-index Maildir folders that another program changed", cmdRescan},
		{"screenshot", "screenshot --out FILE.png --view NAME [--dark] [--size WxH]", "render a view of the demo profile to a PNG", cmdScreenshot},
		{"mta", mtaUsage, "run the local MTA and its POP3 server in the foreground (like postfix start-fg)", cmdMTA},
		{"mailq", "mailq", "list the local MTA's queue (id, size, arrival, sender, recipients, next try, last error)", cmdMailq},
		{"queue", "queue flush|delete ID|hold ID|release ID", "act on the local MTA's queue, whether it runs or not", cmdQueue},
		{"route", routeUsage, "preview the way a message to ADDR... will take: path, MX, MTA-STS, DANE, TLS-RPT; flags domains that take no mail", cmdRoute},
		{"send", sendUsage, "send a message (body or whole message on stdin) through an account, or queue it in the outbox", cmdSend},
		{"sendmail", "sendmail [-t] [-f sender] [-i] [-oi] [rcpt...]", "sendmail-compatible injector: a message on stdin into the local MTA", cmdSendmail},
		{"register-mailto", registerMailtoUsage, "make Facteur the desktop's handler of mailto: links (a .desktop file and xdg-mime)", cmdRegisterMailto},
		{"account", "account add|list|remove|test|authorize ...", "manage remote accounts (IMAP or POP3 in, SMTP out; OAuth2 sign-in)", cmdAccount},
		{"sync", "sync [--offline] [ACCOUNT]", "fetch the mail of remote accounts into the offline store (headers first, unless --offline or the account is available offline)", cmdSync},
		{"filter", filterUsage, "the accounts' mail filters (Sieve): check, install, show, test (a dry run that explains every match), run", cmdFilter},
		{"help", "help", "show this help", nil},
	}
}

// run parses the global options, dispatches and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	rest, err := globalFlags(e, args)
	if err != nil {
		fmt.Fprintln(stderr, "facteur:", err)
		return 2
	}
	if len(rest) == 0 {
		return exitCode(stderr, cmdGUI(e))
	}
	if isMailto(rest[0]) {
		return exitCode(stderr, cmdMailto(e, rest[0]))
	}
	for _, c := range commands() {
		if c.name != rest[0] {
			continue
		}
		if c.run == nil {
			usage(stdout)
			return 0
		}
		e.args = rest[1:]
		return exitCode(stderr, c.run(e))
	}
	fmt.Fprintf(stderr, "facteur: unknown command %q\n", rest[0])
	usage(stderr)
	return 2
}

// globalFlags takes --profile DIR / --profile=DIR before the command name.
func globalFlags(e *env, args []string) ([]string, error) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--profile" || a == "-profile":
			if len(args) < 2 {
				return nil, fmt.Errorf("--profile needs a directory")
			}
			e.profile, args = args[1], args[2:]
		case len(a) > 10 && (a[:10] == "--profile="):
			e.profile, args = a[10:], args[1:]
		case a == "-h" || a == "--help":
			return []string{"help"}, nil
		default:
			return args, nil
		}
	}
	return args, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: facteur [--profile DIR] [COMMAND]")
	fmt.Fprintln(w, "\nWithout a command, opens the mail client.\n\nCommands:")
	for _, c := range commands() {
		if len(c.usage) <= 44 {
			fmt.Fprintf(w, "  %-44s  %s\n", c.usage, c.summary)
			continue
		}
		fmt.Fprintf(w, "  %s\n  %-44s  %s\n", c.usage, "", c.summary)
	}
	fmt.Fprintln(w, "\nThe profile directory is --profile, else $FACTEUR_PROFILE, else the per-user data directory.")
}

// usageError is an error in a command's arguments: exit code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// reported is an error the command already told the user about, in its
// own words: the exit status is 1 and nothing more is printed.
type reported struct{ err error }

func (r reported) Error() string { return r.err.Error() }
func (r reported) Unwrap() error { return r.err }

func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var rep reported
	if errors.As(err, &rep) {
		return 1
	}
	fmt.Fprintln(stderr, "facteur:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

func cmdVersion(e *env) error {
	_, err := fmt.Fprintf(e.stdout, "facteur %s\n", Version)
	return err
}
