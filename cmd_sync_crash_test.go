package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"facteur/internal/eol"
	"facteur/localmta/mda"
	"facteur/mailstore"
	"facteur/mua/imapsync/imaptest"
)

// Issue 11: "kill -9 of a real `facteur sync` at random points, then
// re-sync: no loss, no duplicate". The test runs the real binary against
// an in-process imapmemserver on loopback, SIGKILLs it at a random moment
// once it stored its first messages, several times over (headers first,
// then --offline, which also fills in the bodies), checking each time
// that the store holds only faithful copies of server messages, none
// twice; then a last sync must leave every folder equal to the server's,
// byte for byte and flag for flag.

const (
	syncCrashCycles = 8
	// syncCrashSeedEnv replays a run: its seed is logged.
	syncCrashSeedEnv = "FACTEUR_SYNC_CRASH_SEED"
)

// syncCrashFolders are the server's folders and their messages.
var syncCrashFolders = []struct {
	name string
	n    int // added at each cycle
}{{"INBOX", 200}, {"Archive", 60}}

// crashMsg is a message of 1 to 8 KB.
func crashMsg(folder string, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: fred@truc.test\r\nTo: marc@machin.test\r\nSubject: %s %d\r\nMessage-ID: <%s.%d@truc.test>\r\n\r\n", folder, i, folder, i)
	for l := range 16 + (i*37)%110 {
		fmt.Fprintf(&b, "line %d of %s %d: the quick brown fox jumps over the lazy dog\r\n", l, folder, i)
	}
	return b.String()
}

func TestKill9DuringSyncLosesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL of a child process: Unix only")
	}
	if testing.Short() {
		t.Skip("builds the binary and kills it during syncs")
	}
	began := time.Now()
	bin := buildFacteur(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(syncCrashSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", syncCrashSeedEnv, s, err)
		}
	}
	t.Logf("seed %d (replay the kill delays with %s=%d)", seed, syncCrashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, 0x73796e632d6b696c))

	u := imaptest.NewUser(t, "Archive")
	srv := imaptest.Start(t, u)
	dir := t.TempDir()
	addIMAPAccount(t, dir, srv.Addr)

	kills := 0
	span := time.Second // the kill falls in [0, span) after the first stored message
	for cycle := range syncCrashCycles {
		// mail arrives and changes meanwhile: every sync has work
		for _, fo := range syncCrashFolders {
			addCrashMsgs(t, u, fo.name, cycle*fo.n, fo.n)
		}
		toggleFlagged(t, srv.Addr, cycle)
		args := []string{"sync"}
		if cycle%3 != 0 { // headers first, then whole messages and bodies filled in
			args = append(args, "--offline")
		}
		delay := time.Duration(rng.Int64N(int64(span)))
		killed, ran, out := killSyncAfter(t, bin, dir, delay, args...)
		if killed {
			kills++
			t.Logf("cycle %d: %v killed %v after its first stored message", cycle, args, delay.Round(time.Millisecond))
		} else {
			// a faster machine: the next kills fall within a sync's length
			span = max(ran*3/4, 10*time.Millisecond)
			t.Logf("cycle %d: %v ended %v after its first stored message, before the kill at %v: %s", cycle, args,
				ran.Round(time.Millisecond), delay.Round(time.Millisecond), strings.TrimSpace(out))
		}
		for _, fo := range syncCrashFolders {
			for _, p := range compareStore(t, dir, srv.Addr, fo.name, false) {
				t.Errorf("cycle %d, %s: %s", cycle, fo.name, p)
			}
		}
	}
	cmd := exec.Command(bin, "--profile", dir, "sync", "--offline")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("last sync: %v\n%s", err, out)
	}
	t.Logf("last sync: %s", strings.TrimSpace(string(out)))
	total := 0
	for _, fo := range syncCrashFolders {
		for _, p := range compareStore(t, dir, srv.Addr, fo.name, true) {
			t.Errorf("after the last sync, %s: %s", fo.name, p)
		}
		total += syncCrashCycles * fo.n
	}
	if kills < 2 {
		t.Errorf("only %d of %d syncs were killed before their end", kills, syncCrashCycles)
	}
	t.Logf("%d syncs killed of %d, %d messages mirrored whole, in %v", kills, syncCrashCycles, total, time.Since(began).Round(time.Millisecond))
}

// buildFacteur builds the binary into a temporary directory.
func buildFacteur(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build facteur:", err)
	}
	bin := filepath.Join(t.TempDir(), "facteur")
	build := exec.Command(goTool, "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// addCrashMsgs appends n messages to a folder of the server, from the
// i-th, with flags of every kind.
func addCrashMsgs(t *testing.T, u *imapmemserver.User, folder string, from, n int) {
	t.Helper()
	flags := [][]imap.Flag{nil, {imap.FlagSeen}, {imap.FlagSeen, imap.FlagFlagged}, {imap.FlagAnswered}, {imap.FlagSeen}}
	for i := from; i < from+n; i++ {
		m := crashMsg(folder, i)
		if _, err := u.Append(folder, literal{strings.NewReader(m), int64(len(m))}, &imap.AppendOptions{Flags: flags[i%len(flags)]}); err != nil {
			t.Fatal(err)
		}
	}
}

// toggleFlagged switches \Flagged on one INBOX message in seven, another
// seventh each cycle: flag changes for the sync to bring.
func toggleFlagged(t *testing.T, addr string, cycle int) {
	t.Helper()
	c := imaptest.Login(t, addr)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	var set imap.SeqSet
	for n := uint32(cycle%7 + 1); n <= sel.NumMessages; n += 7 {
		set.AddNum(n)
	}
	if len(set) == 0 {
		return
	}
	op := imap.StoreFlagsAdd
	if cycle%2 == 1 {
		op = imap.StoreFlagsDel
	}
	if err := c.Store(set, &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
}

// literal is an imap.LiteralReader.
type literal struct {
	*strings.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// syncStoredLine is a line of `facteur sync` on standard error once it
// stored messages, or bodies: "ex/INBOX: 100/400", "ex/INBOX: 100 bodies".
var syncStoredLine = regexp.MustCompile(`^ex/[^:]+: [1-9][0-9]*(/[0-9]+| bodies)$`)

// killSyncAfter runs `facteur sync` and SIGKILLs it delay after it
// reported its first stored messages; killed is false when it ended
// before. out is what it printed.
func killSyncAfter(t *testing.T, bin, dir string, delay time.Duration, args ...string) (killed bool, ran time.Duration, out string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--profile", dir}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	var log bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !once && syncStoredLine.MatchString(sc.Text()) {
				once = true
				close(first)
			}
		}
		io.Copy(io.Discard, stderr)
		if !once {
			close(first)
		}
	}()
	<-first
	start := time.Now()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stdout.String())
		}
		return false, time.Since(start), stdout.String()
	case <-timer.C:
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	<-done
	return true, 0, stdout.String()
}

// srvMessage is a server message: its bytes, header section, size and
// flags.
type srvMessage struct {
	raw, header []byte
	size        int64
	flags       mailstore.Flags
}

// serverMessages reads a server folder over a connection of its own.
func serverMessages(t *testing.T, addr, folder string) []srvMessage {
	t.Helper()
	c := imaptest.Login(t, addr)
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	body := &imap.FetchItemBodySection{Peek: true}
	var all imap.SeqSet
	all.AddRange(1, 0)
	list, err := c.Fetch(all, &imap.FetchOptions{Flags: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{hdr, body}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]srvMessage, len(list))
	for i, m := range list {
		out[i] = srvMessage{raw: m.FindBodySection(body), header: m.FindBodySection(hdr), size: m.RFC822Size, flags: storeFlags(m.Flags)}
	}
	return out
}

// storeFlags are the mailstore flags of IMAP system flags, as the MDA
// and the filters read them.
func storeFlags(fl []imap.Flag) mailstore.Flags {
	names := make([]string, len(fl))
	for i, f := range fl {
		names[i] = string(f)
	}
	return mda.FlagsOf(names)
}

const syncedStoreFlags = mailstore.FlagSeen | mailstore.FlagAnswered | mailstore.FlagFlagged | mailstore.FlagDraft | mailstore.FlagTrashed

// compareStore checks the local folder of account ex against the
// server's: each local message a faithful copy (the same bytes, or a
// header-only copy with the same header and size) of a distinct server
// message; with whole, every server message is there, as a whole copy,
// with its flags (a killed sync may have left older flags: those of a
// message stored but not yet mapped, which the next sync adopts). It
// returns the problems.
func compareStore(t *testing.T, dir, addr, folder string, whole bool) []string {
	t.Helper()
	server := serverMessages(t, addr, folder)
	s, err := mailstore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var bad []string
	used := make([]bool, len(server))
	ref := mailstore.FolderRef{Account: "ex", Name: folder}
	for off := 0; ; off += 500 {
		page, err := s.List(context.Background(), ref, mailstore.ListOptions{Offset: off, Limit: 500})
		if errors.Is(err, mailstore.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			bad = append(bad, matchLocal(t, s, m, server, used, whole)...)
		}
		if len(page) < 500 {
			break
		}
	}
	for i, u := range used {
		if whole && !u {
			bad = append(bad, fmt.Sprintf("server message %q missing locally (lost)", headerLine(server[i].header, "Subject")))
		}
	}
	return bad
}

func matchLocal(t *testing.T, s *mailstore.Store, m mailstore.Summary, server []srvMessage, used []bool, whole bool) []string {
	rc, err := s.Open(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	file, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if whole && m.Partial {
		return []string{fmt.Sprintf("%q is header-only after a sync --offline", m.Subject)}
	}
	for i, sm := range server {
		if used[i] || !faithful(m, file, sm) {
			continue
		}
		used[i] = true
		if got := m.Flags & syncedStoreFlags; whole && got != sm.flags {
			return []string{fmt.Sprintf("%q: flags %v, server %v", m.Subject, got, sm.flags)}
		}
		return nil
	}
	return []string{fmt.Sprintf("local %q (%d bytes, partial %v) is no server message: cut short, or a duplicate", m.Subject, len(file), m.Partial)}
}

// faithful tells whether a local file is a copy of a server message.
func faithful(m mailstore.Summary, file []byte, sm srvMessage) bool {
	// the store keeps LF files (eol): the server's CRLF copy in LF form.
	// A sync killed inside mailstore.ReplaceBatch, between the rename of
	// the whole message over the header-only file and the index's commit,
	// leaves the whole message with the row of the header-only copy
	// (documented there): the file is the message, and the next sync
	// fills the body again and fixes the row.
	if !m.Partial || !bytes.HasPrefix(file, []byte(mailstore.PartialField+":")) {
		return bytes.Equal(file, eol.ToLF(sm.raw))
	}
	_, rest, _ := bytes.Cut(file, []byte("\n")) // after the partial mark
	return m.Size == sm.size && bytes.Equal(bytes.TrimRight(rest, "\n"), bytes.TrimRight(eol.ToLF(sm.header), "\n"))
}

func headerLine(h []byte, name string) string {
	for _, l := range strings.Split(string(h), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+": "); ok {
			return v
		}
	}
	return ""
}
