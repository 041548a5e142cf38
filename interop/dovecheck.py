#!/usr/bin/env python3
"""Compares Dovecot's Maildir with what Facteur synced, for interop/dovecot.sh,
with Python's standard library only. Each command prints one line saying what
it found and exits 1 when the check fails.

  setflags DIR                  gives the messages of Maildir DIR (sorted by
                                file name) a fixed pattern of flags: every 7th
                                flagged, every 11th answered and seen, every
                                17th unseen; all moved to cur/ with ":2,FLAGS"
  compare SERVER LOCAL [--no-flags]
                                the Maildirs SERVER (Dovecot's) and LOCAL
                                (Facteur's) hold the same messages: the same
                                count, the same bodies byte for byte once CRLF
                                is read as LF, and the same flags (D F R S T of
                                the ":2," suffix) message for message
  roles INDEX ACCOUNT FOLDER=ROLE...
                                Facteur's index (index.sqlite, read-only) has
                                ACCOUNT's folders with those roles, and the
                                number of indexed messages of each folder
                                equals its files
  imap HOST PORT USER PASS CAFILE MAILBOX COMMAND...
                                STARTTLS (certificate verified against CAFILE
                                for HOST), LOGIN, SELECT MAILBOX, then
                                each COMMAND: "store UIDS +FLAGS (\\Flagged)",
                                "expunge UIDS", "append FILE", "uids" or
                                "warm" (FETCH everything, to warm caches)
  snap ROOT FILE                writes "folder/base FLAGS" for every message
                                of the Maildir++ tree ROOT (INBOX and .Sub)
  changed SNAP1 SNAP2           prints how many messages present in both
                                snapshots have other flags in SNAP2
  rename DIR N FLAGS            renames the first N messages of Maildir DIR
                                without flag F... to carry FLAGS (as another
                                program would); prints how many changed
"""

import collections
import hashlib
import imaplib
import os
import re
import sqlite3
import ssl
import sys
import time

SYSTEM_FLAGS = "DFRST"


def files(maildir):
    """(sub, name) of every message of a Maildir, sorted by name."""
    out = []
    for sub in ("cur", "new"):
        d = os.path.join(maildir, sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            if not name.startswith("."):
                out.append((sub, name))
    out.sort(key=lambda t: t[1])
    return out


def flags_of(name):
    """The system flags of a Maildir file name (keywords, a-z, left out)."""
    m = re.search(r"[:;!]2,([A-Za-z]*)$", name)
    if not m:
        return ""
    return "".join(sorted(c for c in m.group(1) if c in SYSTEM_FLAGS))


def base_of(name):
    return re.sub(r"[:;!]2,[A-Za-z]*$", "", name)


def digest(path):
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def inventory(maildir, with_flags):
    c = collections.Counter()
    for sub, name in files(maildir):
        key = (digest(os.path.join(maildir, sub, name)), flags_of(name) if with_flags else "")
        c[key] += 1
    return c


def setflags(maildir):
    counts = collections.Counter()
    for i, (sub, name) in enumerate(files(maildir)):
        fl = set(flags_of(name))
        if i % 7 == 0:
            fl.add("F")
        if i % 11 == 0:
            fl.update("RS")
        if i % 17 == 0:
            fl.discard("S")
        for f in fl:
            counts[f] += 1
        new = base_of(name) + ":2," + "".join(sorted(fl))
        os.rename(os.path.join(maildir, sub, name), os.path.join(maildir, "cur", new))
    total = len(files(maildir))
    print("  %d messages: %d \\Seen, %d \\Flagged, %d \\Answered" % (total, counts["S"], counts["F"], counts["R"]))
    return 0


def compare(server, local, with_flags=True):
    a, b = inventory(server, with_flags), inventory(local, with_flags)
    na, nb = sum(a.values()), sum(b.values())
    flagged = collections.Counter()
    for (h, fl), n in a.items():
        for f in fl:
            flagged[f] += n
    if a == b:
        what = "bodies and flags" if with_flags else "bodies"
        extra = ""
        if with_flags:
            extra = " (%d \\Seen, %d \\Flagged, %d \\Answered)" % (flagged["S"], flagged["F"], flagged["R"])
        print("  %d messages on both sides, %s identical%s" % (na, what, extra))
        return 0
    print("  server %d messages, Facteur %d" % (na, nb))
    only_a, only_b = a - b, b - a
    bodies_a = collections.Counter(h for (h, _), n in only_a.items() for _ in range(n))
    bodies_b = collections.Counter(h for (h, _), n in only_b.items() for _ in range(n))
    same_body = sum((bodies_a & bodies_b).values())
    print("  %d only on the server, %d only in Facteur (%d of them differ by flags only)"
          % (sum(only_a.values()), sum(only_b.values()), same_body))
    for (h, fl), n in list(only_a.items())[:5]:
        print("    server: %s flags %r x%d" % (h[:16], fl, n))
    for (h, fl), n in list(only_b.items())[:5]:
        print("    facteur: %s flags %r x%d" % (h[:16], fl, n))
    return 1


def roles(index, account, specs):
    db = sqlite3.connect("file:%s?mode=ro" % index, uri=True)
    rows = {name: (fid, role) for fid, name, role in db.execute(
        "SELECT id, name, role FROM folders WHERE account = ?", (account,))}
    bad = []
    seen = []
    for spec in specs:
        name, _, role = spec.partition("=")
        if name not in rows:
            bad.append("%s missing" % name)
            continue
        fid, got = rows[name]
        if got != role:
            bad.append("%s has role %r, want %r" % (name, got, role))
        (n,) = db.execute("SELECT count(*) FROM messages WHERE folder = ?", (fid,)).fetchone()
        seen.append("%s=%s (%d indexed)" % (name, got, n))
    if bad:
        print("  " + "; ".join(bad) + " (folders: %s)" % sorted(rows))
        return 1
    print("  " + ", ".join(seen))
    return 0


def imap(host, port, user, password, cafile, mailbox, commands):
    ctx = ssl.create_default_context(cafile=cafile)
    m = imaplib.IMAP4(host, int(port))
    m.starttls(ctx)
    m.login(user, password)
    typ, _ = m.select(mailbox)
    if typ != "OK":
        print("  SELECT %s: %s" % (mailbox, typ))
        return 1
    out = []
    for cmd in commands:
        verb, _, rest = cmd.partition(" ")
        if verb == "store":
            uids, _, what = rest.partition(" ")
            op, _, flags = what.partition(" ")
            typ, data = m.uid("STORE", uids, op, flags)
        elif verb == "expunge":
            typ, data = m.uid("STORE", rest, "+FLAGS.SILENT", r"(\Deleted)")
            if typ == "OK":
                typ, data = m.expunge()
        elif verb == "append":
            with open(rest, "rb") as f:
                msg = f.read()
            typ, data = m.append(mailbox, None, imaplib.Time2Internaldate(time.time()), msg)
        elif verb == "warm":
            typ, data = m.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[])")
            data = ["%d messages" % (len(data) // 2)]
            out.append("%s: %s" % (cmd, data[0]))
            continue
        elif verb == "uids":
            typ, data = m.uid("SEARCH", None, "ALL")
            print(" ".join(x.decode() for x in data if x))
        else:
            print("  unknown command %r" % cmd)
            return 1
        if typ != "OK":
            print("  %s: %s %r" % (cmd, typ, data))
            return 1
        out.append(cmd)
    m.logout()
    if commands and commands[0] != "uids":
        print("  %s via %s: %s (TLS verified against the test certificate)" % (user, mailbox, "; ".join(out)))
    return 0


def rename(maildir, n, flags):
    n, changed = int(n), 0
    for sub, name in files(maildir):
        if changed >= n:
            break
        fl = set(flags_of(name))
        if set(flags) <= fl:
            continue
        fl.update(flags)
        new = base_of(name) + ":2," + "".join(sorted(fl))
        os.rename(os.path.join(maildir, sub, name), os.path.join(maildir, "cur", new))
        changed += 1
    print(changed)
    return 0 if changed == n else 1


def folders(root):
    """(name, dir) of INBOX and every Maildir++ subfolder of root."""
    out = [("INBOX", root)]
    for d in sorted(os.listdir(root)):
        if d.startswith(".") and os.path.isdir(os.path.join(root, d, "cur")):
            out.append((d[1:].replace(".", "/"), os.path.join(root, d)))
    return out


def snap(root, path):
    with open(path, "w") as f:
        for name, d in folders(root):
            for sub, fn in files(d):
                f.write("%s/%s %s\n" % (name, base_of(fn), flags_of(fn)))
    return 0


def changed(a, b):
    def load(p):
        with open(p) as f:
            return dict(line.rstrip("\n").rsplit(" ", 1) for line in f)
    x, y = load(a), load(b)
    print(sum(1 for k in x if k in y and x[k] != y[k]))
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "setflags":
        return setflags(args[0])
    if cmd == "compare":
        return compare(args[0], args[1], "--no-flags" not in args[2:])
    if cmd == "roles":
        return roles(args[0], args[1], args[2:])
    if cmd == "imap":
        return imap(*args[:6], args[6:])
    if cmd == "snap":
        return snap(*args)
    if cmd == "changed":
        return changed(*args)
    if cmd == "rename":
        return rename(*args)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
