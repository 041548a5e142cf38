package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"facteur/internal/atomicfile"
	"facteur/internal/profile"
)

// `facteur register-mailto` makes Facteur the desktop's handler of mailto:
// links. On Linux and the BSDs (freedesktop.org desktops) it writes a
// desktop entry (Desktop Entry Specification 1.5) whose MimeType is
// x-scheme-handler/mailto and whose Exec passes the link with %u into
// $XDG_DATA_HOME/applications (default ~/.local/share/applications), then
// makes it the default with `xdg-mime default` (xdg-utils) when that
// command is installed. Other systems choose the handler in their own
// settings: the command says where.

const registerMailtoUsage = "register-mailto [--exec PATH]"

// mailtoDesktopFile is the name of the desktop entry it writes.
const mailtoDesktopFile = "facteur.desktop"

// errNoXDGMime: the desktop entry was written but not made the default.
var errNoXDGMime = errors.New("xdg-mime (from xdg-utils) is not installed")

func cmdRegisterMailto(e *env) error {
	fs := newFlags(e, "register-mailto")
	execPath := fs.String("exec", "", "the facteur program the desktop runs (default: this one)")
	rest, err := parseFlags(fs, e.args)
	if err == nil && len(rest) > 0 {
		err = usageError{"usage: facteur " + registerMailtoUsage}
	}
	if err != nil {
		return err
	}
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return registerXDG(e, *execPath)
	case "darwin":
		fmt.Fprintln(e.stdout, macMailtoHelp)
	case "windows":
		fmt.Fprintln(e.stdout, windowsMailtoHelp)
	default:
		fmt.Fprintf(e.stdout, "facteur register-mailto: %s has no known mailto: handler setting; run `facteur mailto:ADDRESS` from it.\n", runtime.GOOS)
	}
	return nil
}

const macMailtoHelp = `On macOS the mail reader is chosen in Mail.app › Settings › General › "Default email reader",
which lists the applications whose bundle declares the mailto URL scheme (CFBundleURLTypes).
The bundle that "fyne package" makes does not declare it yet: add to Facteur.app/Contents/Info.plist
  <key>CFBundleURLTypes</key><array><dict><key>CFBundleURLName</key><string>mailto</string>
  <key>CFBundleURLSchemes</key><array><string>mailto</string></array></dict></array>
then choose Facteur there (or: duti -s org.facteur.Facteur mailto).`

const windowsMailtoHelp = `On Windows choose Facteur in Settings › Apps › Default apps › "Choose defaults by link type" › MAILTO,
once an installer has registered it for the mailto protocol (the "fyne package" .exe does not);
until then run: facteur.exe mailto:ADDRESS`

// registerXDG writes the desktop entry and makes it the default handler.
func registerXDG(e *env, execPath string) error {
	args, err := handlerCommand(e, execPath)
	if err != nil {
		return err
	}
	dir := xdgApplicationsDir()
	path := filepath.Join(dir, mailtoDesktopFile)
	if err := writeDesktopEntry(path, []byte(mailtoDesktopEntry(args))); err != nil {
		return fmt.Errorf("register-mailto: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s (MimeType=x-scheme-handler/mailto, Exec=%s %%u)\n", path, strings.Join(args, " "))
	refreshDesktopDatabase(e, dir)
	if err := setDefaultHandler(e.ctx); err != nil {
		return fmt.Errorf("register-mailto: %w; Facteur is offered for mailto: links but is not the default: "+
			"install xdg-utils and run `xdg-mime default %s x-scheme-handler/mailto`, or choose Facteur in your desktop's default applications", err, mailtoDesktopFile)
	}
	fmt.Fprintf(e.stdout, "Facteur is the default handler of mailto: links (xdg-mime default %s x-scheme-handler/mailto)\n", mailtoDesktopFile)
	return nil
}

// handlerCommand is the program and the options the desktop runs, before
// the link: this executable (absolute), and the profile when one was
// chosen (the desktop passes no environment of ours).
func handlerCommand(e *env, execPath string) ([]string, error) {
	if execPath == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("register-mailto: where is this program? %w (give --exec PATH)", err)
		}
		execPath = exe
	}
	abs, err := filepath.Abs(execPath)
	if err != nil {
		return nil, err
	}
	args := []string{abs}
	if e.profile != "" || os.Getenv(profile.EnvVar) != "" {
		p, err := profile.Open(e.profile)
		if err != nil {
			return nil, err
		}
		args = append(args, "--profile", p.Dir)
	}
	return args, nil
}

// xdgApplicationsDir is $XDG_DATA_HOME/applications, the user's desktop
// entries (XDG Base Directory Specification: ~/.local/share by default).
func xdgApplicationsDir() string {
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" || !filepath.IsAbs(data) {
		home, _ := os.UserHomeDir()
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "applications")
}

// mailtoDesktopEntry is the desktop entry of the handler.
func mailtoDesktopEntry(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = execQuote(a)
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Facteur\n" +
		"GenericName=Mail client\n" +
		"Comment=Write the message of a mailto: link in Facteur\n" +
		"Exec=" + strings.Join(quoted, " ") + " %u\n" +
		"Icon=org.facteur.Facteur\n" +
		"Terminal=false\n" +
		"Categories=Network;Email;\n" +
		"MimeType=x-scheme-handler/mailto;\n" +
		"StartupWMClass=Facteur\n"
}

// execQuote quotes one argument of an Exec key (Desktop Entry
// Specification, "The Exec key"): inside double quotes, backslash before
// ", `, $ and \; then the string escape of \ again; % doubled.
func execQuote(arg string) string {
	arg = strings.ReplaceAll(arg, "%", "%%")
	if arg != "" && !strings.ContainsAny(arg, " \t\n\"'\\><~|&;$*?#()`") {
		return arg
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		switch r {
		case '"', '`', '$':
			b.WriteString(`\\`)
		case '\\':
			b.WriteString(`\\\\`)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// refreshDesktopDatabase updates the mimeinfo.cache of dir, which some
// desktops read instead of the entries, when update-desktop-database is
// installed; a failure is only a note.
func refreshDesktopDatabase(e *env, dir string) {
	tool, err := exec.LookPath("update-desktop-database")
	if err != nil {
		return
	}
	if out, err := exec.CommandContext(e.ctx, tool, dir).CombinedOutput(); err != nil {
		fmt.Fprintf(e.stderr, "facteur register-mailto: note: update-desktop-database: %v %s\n", err, strings.TrimSpace(string(out)))
	}
}

// setDefaultHandler runs xdg-mime default facteur.desktop x-scheme-handler/mailto.
func setDefaultHandler(ctx context.Context) error {
	tool, err := exec.LookPath("xdg-mime")
	if err != nil {
		return errNoXDGMime
	}
	out, err := exec.CommandContext(ctx, tool, "default", mailtoDesktopFile, "x-scheme-handler/mailto").CombinedOutput()
	if err != nil {
		return fmt.Errorf("xdg-mime default: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// writeDesktopEntry writes the desktop entry atomically, in a directory
// that other programs (the desktop's menus) read.
func writeDesktopEntry(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}
