package imapsync

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"facteur/mua/account"
)

// modseqServer is a small IMAP4rev1 server with CONDSTORE (RFC 7162),
// which go-imap's imapserver lacks: one user, folders in memory, every
// command line it received kept so that tests can check what the Syncer
// asked. It speaks what the Syncer sends and little more: CAPABILITY,
// LOGIN, LOGOUT, NOOP, LIST, SELECT/EXAMINE (CONDSTORE), UID SEARCH (ALL,
// UID set), UID FETCH (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
// BODYSTRUCTURE MODSEQ BODY.PEEK[] BODY.PEEK[HEADER], CHANGEDSINCE), UID
// STORE. Other programs' changes are made with its methods; it sends no
// unilateral update (the Syncer selects the folder again on every sync).
type modseqServer struct {
	t       *testing.T
	addr    string
	mu      sync.Mutex
	folders map[string]*msFolder
	cmds    []string // command lines received, without the tag
}

type msFolder struct {
	validity uint32
	next     uint32 // UIDNEXT
	modseq   uint64 // HIGHESTMODSEQ
	msgs     []*msMsg
}

type msMsg struct {
	uid    uint32
	flags  []string
	modseq uint64
	data   []byte
}

const msCaps = "IMAP4rev1 CONDSTORE"

func startModseqServer(t *testing.T, folders ...string) *modseqServer {
	t.Helper()
	ms := &modseqServer{t: t, folders: map[string]*msFolder{}}
	for i, f := range append([]string{"INBOX"}, folders...) {
		ms.folders[f] = &msFolder{validity: uint32(100 + i), next: 1, modseq: 1}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = ln.Addr().String()
	var wg sync.WaitGroup
	conns := map[net.Conn]bool{}
	var cmu sync.Mutex
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			cmu.Lock()
			conns[c] = true
			cmu.Unlock()
			wg.Go(func() { ms.serve(c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		cmu.Lock()
		for c := range conns {
			c.Close()
		}
		cmu.Unlock()
		wg.Wait()
	})
	return ms
}

// add appends messages to a folder, as a delivery would.
func (ms *modseqServer) add(folder string, data string, flags ...string) uint32 {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	f := ms.folders[folder]
	f.modseq++
	m := &msMsg{uid: f.next, flags: flags, modseq: f.modseq, data: []byte(data)}
	f.next++
	f.msgs = append(f.msgs, m)
	return m.uid
}

// setFlags replaces the flags of a message, as another client would.
func (ms *modseqServer) setFlags(folder string, uid uint32, flags ...string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	f := ms.folders[folder]
	for _, m := range f.msgs {
		if m.uid == uid {
			f.modseq++
			m.flags, m.modseq = flags, f.modseq
		}
	}
}

// expunge removes a message, as another client would.
func (ms *modseqServer) expunge(folder string, uid uint32) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	f := ms.folders[folder]
	f.msgs = slices.DeleteFunc(f.msgs, func(m *msMsg) bool { return m.uid == uid })
}

// commands returns the command lines received since the last call.
func (ms *modseqServer) commands() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	out := ms.cmds
	ms.cmds = nil
	return out
}

func (ms *modseqServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	fmt.Fprintf(w, "* OK [CAPABILITY %s] test server ready\r\n", msCaps)
	w.Flush()
	var sel *msFolder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		tag, cmd, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		ms.mu.Lock()
		ms.cmds = append(ms.cmds, cmd)
		done := ms.command(w, tag, cmd, &sel)
		ms.mu.Unlock()
		if w.Flush() != nil || done {
			return
		}
	}
}

// command answers one command; it tells whether the connection ends.
func (ms *modseqServer) command(w *bufio.Writer, tag, cmd string, sel **msFolder) bool {
	name, args, _ := strings.Cut(cmd, " ")
	switch strings.ToUpper(name) {
	case "CAPABILITY":
		fmt.Fprintf(w, "* CAPABILITY %s\r\n%s OK done\r\n", msCaps, tag)
	case "LOGIN":
		fmt.Fprintf(w, "%s OK [CAPABILITY %s] logged in\r\n", tag, msCaps)
	case "NOOP":
		fmt.Fprintf(w, "%s OK done\r\n", tag)
	case "LOGOUT":
		fmt.Fprintf(w, "* BYE\r\n%s OK bye\r\n", tag)
		return true
	case "LIST":
		ms.list(w, tag)
	case "SELECT", "EXAMINE":
		*sel = ms.selectFolder(w, tag, args)
	case "UID":
		ms.uidCommand(w, tag, args, *sel)
	default:
		fmt.Fprintf(w, "%s BAD unsupported\r\n", tag)
	}
	return false
}

func (ms *modseqServer) list(w *bufio.Writer, tag string) {
	names := make([]string, 0, len(ms.folders))
	for n := range ms.folders {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "* LIST () \"/\" %q\r\n", n)
	}
	fmt.Fprintf(w, "%s OK done\r\n", tag)
}

func (ms *modseqServer) selectFolder(w *bufio.Writer, tag, args string) *msFolder {
	name, _, _ := strings.Cut(args, " ")
	f := ms.folders[strings.Trim(name, `"`)]
	if f == nil {
		fmt.Fprintf(w, "%s NO no such folder\r\n", tag)
		return nil
	}
	fmt.Fprintf(w, "* %d EXISTS\r\n* OK [UIDVALIDITY %d] v\r\n* OK [UIDNEXT %d] n\r\n", len(f.msgs), f.validity, f.next)
	fmt.Fprintf(w, "* OK [HIGHESTMODSEQ %d] m\r\n* FLAGS (\\Seen \\Answered \\Flagged \\Draft \\Deleted)\r\n", f.modseq)
	fmt.Fprintf(w, "%s OK [READ-WRITE] selected\r\n", tag)
	return f
}

func (ms *modseqServer) uidCommand(w *bufio.Writer, tag, args string, f *msFolder) {
	if f == nil {
		fmt.Fprintf(w, "%s BAD no folder selected\r\n", tag)
		return
	}
	name, rest, _ := strings.Cut(args, " ")
	switch strings.ToUpper(name) {
	case "SEARCH":
		ms.search(w, tag, rest, f)
	case "FETCH":
		ms.fetch(w, tag, rest, f)
	case "STORE":
		ms.store(w, tag, rest, f)
	default:
		fmt.Fprintf(w, "%s BAD unsupported\r\n", tag)
	}
}

func (ms *modseqServer) search(w *bufio.Writer, tag, args string, f *msFolder) {
	in := func(uint32) bool { return true }
	if crit := strings.Fields(args); len(crit) == 2 && strings.EqualFold(crit[0], "UID") {
		in = uidSet(crit[1], f)
	} else if len(crit) != 1 || !strings.EqualFold(crit[0], "ALL") {
		fmt.Fprintf(w, "%s BAD unsupported search\r\n", tag)
		return
	}
	w.WriteString("* SEARCH")
	for _, m := range f.msgs {
		if in(m.uid) {
			fmt.Fprintf(w, " %d", m.uid)
		}
	}
	fmt.Fprintf(w, "\r\n%s OK done\r\n", tag)
}

// uidSet reads a UID set ("1:4,7,9:*") of folder f.
func uidSet(s string, f *msFolder) func(uint32) bool {
	last := uint32(0)
	if len(f.msgs) > 0 {
		last = f.msgs[len(f.msgs)-1].uid
	}
	num := func(s string) uint32 {
		if s == "*" {
			return last
		}
		n, _ := strconv.ParseUint(s, 10, 32)
		return uint32(n)
	}
	var ranges [][2]uint32
	for _, part := range strings.Split(s, ",") {
		a, b, found := strings.Cut(part, ":")
		lo, hi := num(a), num(a)
		if found {
			hi = num(b)
		}
		ranges = append(ranges, [2]uint32{min(lo, hi), max(lo, hi)})
	}
	return func(uid uint32) bool {
		for _, r := range ranges {
			if r[0] <= uid && uid <= r[1] {
				return true
			}
		}
		return false
	}
}

// fetch answers UID FETCH SET (ITEMS) [(CHANGEDSINCE N)].
func (ms *modseqServer) fetch(w *bufio.Writer, tag, args string, f *msFolder) {
	set, rest, _ := strings.Cut(args, " ")
	items, mods, _ := strings.Cut(strings.TrimPrefix(rest, "("), ")")
	var since uint64
	if m := strings.TrimSpace(mods); m != "" {
		fmt.Sscanf(m, "(CHANGEDSINCE %d)", &since)
	}
	in := uidSet(set, f)
	for i, m := range f.msgs {
		if in(m.uid) && m.modseq > since {
			fmt.Fprintf(w, "* %d FETCH (%s)\r\n", i+1, fetchItems(m, strings.Fields(items), since != 0))
		}
	}
	fmt.Fprintf(w, "%s OK done\r\n", tag)
}

func fetchItems(m *msMsg, items []string, modseq bool) string {
	out := []string{fmt.Sprintf("UID %d", m.uid)}
	for _, it := range items {
		switch strings.ToUpper(it) {
		case "FLAGS":
			out = append(out, "FLAGS ("+strings.Join(m.flags, " ")+")")
		case "MODSEQ":
			modseq = true
		case "INTERNALDATE":
			out = append(out, `INTERNALDATE "17-Jul-2024 02:44:25 +0000"`)
		case "RFC822.SIZE":
			out = append(out, fmt.Sprintf("RFC822.SIZE %d", len(m.data)))
		case "ENVELOPE":
			out = append(out, "ENVELOPE "+envelope(m.data))
		case "BODYSTRUCTURE":
			out = append(out, fmt.Sprintf(`BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" %d %d NIL NIL NIL NIL)`,
				len(body(m.data)), bytes.Count(body(m.data), []byte("\n"))))
		case "BODY.PEEK[]":
			out = append(out, literal("BODY[]", m.data))
		case "BODY.PEEK[HEADER]":
			out = append(out, literal("BODY[HEADER]", m.data[:len(m.data)-len(body(m.data))]))
		}
	}
	if modseq {
		out = append(out, fmt.Sprintf("MODSEQ (%d)", m.modseq))
	}
	return strings.Join(out, " ")
}

func literal(name string, b []byte) string { return fmt.Sprintf("%s {%d}\r\n%s", name, len(b), b) }

// body returns the body of a message, after the blank line.
func body(data []byte) []byte {
	if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		return data[i+4:]
	}
	return nil
}

// envelope gives the subject and Message-ID of a message, NIL elsewhere.
func envelope(data []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
	}
	return fmt.Sprintf("(NIL %q NIL NIL NIL NIL NIL NIL NIL %q)", m.Header.Get("Subject"), m.Header.Get("Message-Id"))
}

// store answers UID STORE SET +FLAGS[.SILENT] (FLAGS) and -FLAGS.
func (ms *modseqServer) store(w *bufio.Writer, tag, args string, f *msFolder) {
	set, rest, _ := strings.Cut(args, " ")
	op, list, _ := strings.Cut(rest, " ")
	flags := strings.Fields(strings.Trim(list, "()"))
	in := uidSet(set, f)
	for _, m := range f.msgs {
		if !in(m.uid) {
			continue
		}
		m.flags = slices.DeleteFunc(m.flags, func(fl string) bool { return slices.Contains(flags, fl) })
		if strings.HasPrefix(op, "+") {
			m.flags = append(m.flags, flags...)
		}
		f.modseq++
		m.modseq = f.modseq
	}
	fmt.Fprintf(w, "%s OK done\r\n", tag)
}

// testMsg is a message of the modseq server's tests.
func testMsg(i int) string {
	return fmt.Sprintf("From: fred@truc.fr\r\nSubject: M %d\r\nMessage-ID: <m%d@truc.fr>\r\nDate: %s\r\n\r\nBody %d\r\n",
		i, i, time.Date(2024, 7, 1, 12, i, 0, 0, time.UTC).Format(time.RFC1123Z), i)
}

func (ms *modseqServer) account() account.Account {
	host, port, _ := net.SplitHostPort(ms.addr)
	p, _ := strconv.Atoi(port)
	return account.Account{
		Name: "Machin", Protocol: account.IMAP,
		Identity: account.Identity{Address: "marc@machin.com"},
		Incoming: account.Server{Host: host, Port: p, Security: account.SecurityNone, User: "marc"},
	}
}

func (ms *modseqServer) dialer() *account.Dialer { return &account.Dialer{} }
