#!/usr/bin/env python3
"""Fills an IMAP server and compares it with what Facteur synced, for
interop/servers.sh, over IMAP only (so the same checks hold for Dovecot,
Courier-IMAP and Cyrus, whatever their storage), with Python's standard
library only. Every command logs in with STARTTLS, the certificate verified
against CAFILE; SERVER is "HOST PORT USER PASSWORD CAFILE". Each command
prints what it found and exits 1 when a check fails.

  fill SERVER SPEC...     creates the folders of SPEC ("Name:N", the levels
                          of Name separated by '/', mapped to the server's
                          prefix and delimiter from NAMESPACE, non-ASCII in
                          modified UTF-7; "=Name": the server's name as it
                          is) and APPENDs N generated messages
                          to each, with a fixed pattern of flags; INBOX also
                          gets an 8-bit body, a message over 1 MB and one
                          without Message-ID. Prints the total.
  compare SERVER PROFILE ACCOUNT [--no-flags]
                          every folder of the server holds the same messages
                          as its Facteur folder: the count, the bodies byte
                          for byte (CRLF read as LF) and the flags (\\Seen
                          \\Answered \\Flagged \\Draft \\Deleted against the
                          D F R S T of the Maildir names). Facteur's folder
                          of each server folder is found in its sync state
                          (imap/state.sqlite: the remote name beside the
                          local one). With --no-flags (a POP3 account),
                          INBOX only, by bodies.
  names PROFILE ACCOUNT REMOTE=LOCAL...
                          the sync state maps those remote names (as the
                          server lists them, decoded) to those local folder
                          names, and the local folders exist
  change SERVER           changes the server behind Facteur's back: flags
                          of INBOX messages, two messages expunged in the
                          nested folder, one appended in the non-ASCII one;
                          prints "FLAGS EXPUNGED APPENDED"
  has SERVER NAME...      the server lists each NAME (Facteur's form, as in
                          fill), and none of the NAMEs written "!NAME"
  snapshot PROFILE ACCOUNT
                          prints the file names of the account's Maildirs,
                          sorted (to tell that a sync changed nothing)
"""

import base64
import hashlib
import imaplib
import os
import re
import sqlite3
import ssl
import sys
import time

SYSTEM = {"\\Seen": "S", "\\Answered": "R", "\\Flagged": "F", "\\Draft": "D", "\\Deleted": "T"}


def mutf7_encode(s):
    """Modified UTF-7 of RFC 3501 section 5.1.3."""
    out, run = [], []

    def flush():
        if run:
            b = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(b).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()
    for ch in s:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(s):
    def dec(m):
        if m.group(1) == "":
            return "&"
        b = m.group(1).replace(",", "/")
        b += "=" * (-len(b) % 4)
        return base64.b64decode(b).decode("utf-16-be")
    return re.sub(r"&([A-Za-z0-9+,]*)-", dec, s)


def connect(host, port, user, password, cafile):
    m = imaplib.IMAP4(host, int(port))
    m.starttls(ssl.create_default_context(cafile=cafile))
    m.login(user, password)
    return m


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def namespace(m):
    """(prefix, delimiter) of the personal namespace."""
    typ, data = m.namespace()
    mm = re.match(rb'\(\("([^"]*)" (?:"(.)"|NIL)\)', data[0] or b"")
    if not mm:
        return "", "/"
    return mm.group(1).decode(), (mm.group(2) or b"/").decode()


def remote_name(m, name):
    if name.upper() == "INBOX":
        return "INBOX"
    if name.startswith("="):  # the server's name as it is
        return mutf7_encode(name[1:])
    prefix, delim = namespace(m)
    return mutf7_encode(prefix + name.replace("/", delim))


def listed(m):
    """The selectable mailboxes of LIST "" "*": (wire name, decoded name with '/')."""
    typ, data = m.list('""', '"*"')
    out = []
    for line in data:
        mm = re.match(rb'\((.*?)\) (?:"(.)"|NIL) (.*)$', line)
        if not mm or b"\\Noselect" in mm.group(1) or b"\\NonExistent" in mm.group(1):
            continue
        name = mm.group(3).decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out.append((name, (mm.group(2) or b"").decode()))
    return out


def message(folder, i, kind=""):
    mid = "Message-ID: <%s.%d@truc.example>\r\n" % (re.sub(r"[^A-Za-z0-9]", "-", folder), i)
    head = "From: Fred <fred@truc.example>\r\nTo: Marc <marc@machin.example>\r\n" \
        "Date: Mon, 2 Mar 2026 09:%02d:00 +0100\r\n" % (i % 60)
    if kind == "8bit":
        return (head + mid + "Subject: huit bits\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                ).encode() + "Été à Noël, ça va ? Œuvre ½ €\r\n".encode("utf-8")
    if kind == "big":
        blob = base64.encodebytes(hashlib.sha256(b"x").digest() * 40000).replace(b"\n", b"\r\n")
        return (head + mid + "Subject: gros\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                "Content-Type: text/plain\r\n\r\nUne grosse piece jointe.\r\n--b\r\n"
                "Content-Type: application/octet-stream; name=big.bin\r\n"
                "Content-Disposition: attachment; filename=big.bin\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n").encode() + blob + b"--b--\r\n"
    if kind == "noid":
        mid = ""
    return (head + mid + "Subject: %s %d%s\r\n\r\nCorps %d du dossier %s.\r\n"
            % (folder, i, (" " + kind) if kind else "", i, folder)).encode("utf-8")


def flags_for(i):
    fl = []
    if i % 3 == 0:
        fl.append("\\Seen")
    if i % 5 == 0:
        fl.append("\\Flagged")
    if i % 7 == 0:
        fl.append("\\Answered")
    return "(" + " ".join(fl) + ")"


def fill(server, specs):
    m = connect(*server)
    total = 0
    for spec in specs:
        name, _, n = spec.rpartition(":")
        wire = remote_name(m, name)
        if wire != "INBOX" and wire not in [w for w, _ in listed(m)]:
            typ, data = m.create(quote(wire))
            if typ != "OK":
                print("  CREATE %s: %s %r" % (wire, typ, data))
                return 1
        msgs = [message(name, i) for i in range(int(n))]
        if name == "INBOX":
            msgs += [message(name, 100, "8bit"), message(name, 101, "big"), message(name, 102, "noid")]
        for i, msg in enumerate(msgs):
            typ, data = m.append(quote(wire), flags_for(i), imaplib.Time2Internaldate(time.time()), msg)
            if typ != "OK":
                print("  APPEND to %s: %s %r" % (wire, typ, data))
                return 1
        total += len(msgs)
        print("  %s (%s): %d messages" % (name, wire, len(msgs)))
    m.logout()
    print(total)
    return 0


def server_folder(m, wire):
    """[(sha256 of the body, CRLF as LF; flags)] of a server folder."""
    typ, data = m.select(quote(wire), readonly=True)
    if typ != "OK":
        raise RuntimeError("SELECT %s: %r" % (wire, data))
    if int(data[0]) == 0:
        return []
    typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    out = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, body = item
        fl = re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).decode().split()
        letters = "".join(sorted(SYSTEM[f] for f in fl if f in SYSTEM))
        out.append((hashlib.sha256(body.replace(b"\r\n", b"\n")).hexdigest(), letters))
    return sorted(out)


def encode_level(s):
    """mailstore's encoding of one level of a folder name on disk (folderpath.go)."""
    b = s.encode("utf-8")
    base = s.upper().split(".")[0]
    reserved = base in ("CON", "PRN", "AUX", "NUL") or s.lower() in ("cur", "new", "tmp") or s.startswith(".") \
        or (len(base) == 4 and base[:3] in ("COM", "LPT") and base[3].isdigit())
    out = bytearray()
    for i, c in enumerate(b):
        if c < 0x20 or c == 0x7F or chr(c) in '%/\\:*?"<>|' or (i == 0 and reserved) \
                or (i == len(b) - 1 and chr(c) in ". "):
            out += b"%%%02X" % c
        else:
            out.append(c)
    return out.decode("utf-8")


def local_dir(profile, account, local):
    return os.path.join(profile, "mail", encode_level(account), *[encode_level(l) for l in local.split("/")])


def local_folder(d, with_flags):
    out = []
    for sub in ("cur", "new"):
        p = os.path.join(d, sub)
        for n in os.listdir(p) if os.path.isdir(p) else []:
            if n.startswith("."):
                continue
            with open(os.path.join(p, n), "rb") as f:
                h = hashlib.sha256(f.read().replace(b"\r\n", b"\n")).hexdigest()
            mm = re.search(r"[:!]2,([A-Za-z]*)$", n)
            letters = "".join(sorted(c for c in (mm.group(1) if mm else "") if c in "DFRST")) if with_flags else ""
            out.append((h, letters))
    return sorted(out)


def state_names(profile, account):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(profile, "imap", "state.sqlite"), uri=True)
    return {r: n for n, r in db.execute("SELECT name, remote FROM folders WHERE account = ? AND remote IS NOT NULL", (account,))}


def compare(server, profile, account, with_flags=True):
    m = connect(*server)
    bad, seen = [], []
    if with_flags:
        names = state_names(profile, account)
        folders = listed(m)
    else:
        names, folders = {"INBOX": "INBOX"}, [("INBOX", "")]
    for wire, _ in folders:
        decoded = mutf7_decode(wire)
        local = names.get(decoded)
        if local is None:
            bad.append("%s: no local folder in the sync state" % decoded)
            continue
        a = server_folder(m, wire)
        if not with_flags:
            a = sorted((h, "") for h, _ in a)
        b = local_folder(local_dir(profile, account, local), with_flags)
        if a != b:
            only_a = len([x for x in a if x not in b])
            only_b = len([x for x in b if x not in a])
            bad.append("%s -> %s: server %d, Facteur %d (%d only on the server, %d only in Facteur)"
                       % (decoded, local, len(a), len(b), only_a, only_b))
        else:
            seen.append("%s -> %s: %d" % (decoded, local, len(a)))
    m.logout()
    if bad:
        print("  " + "\n  ".join(bad))
        return 1
    what = "bodies and flags" if with_flags else "bodies"
    print("  %s identical: %s" % (what, "; ".join(seen)))
    return 0


def names(profile, account, specs):
    got = state_names(profile, account)
    bad = []
    for spec in specs:
        remote, _, local = spec.partition("=")
        if got.get(remote) != local:
            bad.append("%s: local %r, want %r" % (remote, got.get(remote), local))
        elif not os.path.isdir(os.path.join(local_dir(profile, account, local), "cur")):
            bad.append("%s: no Maildir for %r" % (remote, local))
    if bad:
        print("  " + "; ".join(bad) + " (state: %r)" % got)
        return 1
    print("  " + ", ".join("%s -> %s" % (r, n) for r, n in sorted(got.items())))
    return 0


def change(server, nested, accented):
    m = connect(*server)
    typ, _ = m.select("INBOX")
    typ, data = m.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    flagged = 0
    for u in uids[:4]:
        m.uid("STORE", u, "+FLAGS", "(\\Flagged)")
    for u in uids[4:8]:
        m.uid("STORE", u, "FLAGS", "(\\Seen \\Answered)")
    m.select(quote(remote_name(m, nested)))
    typ, data = m.uid("SEARCH", None, "ALL")
    gone = data[0].split()[:2]
    for u in gone:
        m.uid("STORE", u, "+FLAGS.SILENT", "(\\Deleted)")
    m.expunge()
    typ, _ = m.append(quote(remote_name(m, accented)), "(\\Seen)", imaplib.Time2Internaldate(time.time()),
                      message(accented, 500, "late"))
    m.logout()
    print("%d %d %d" % (8, len(gone), 1 if typ == "OK" else 0))
    return 0


def has(server, specs):
    m = connect(*server)
    there = {w for w, _ in listed(m)}
    bad, ok = [], []
    for spec in specs:
        absent = spec.startswith("!")
        name = spec[1:] if absent else spec
        wire = remote_name(m, name)
        (bad if (wire in there) == absent else ok).append("%s%s (%s)" % ("no " if absent else "", name, wire))
    m.logout()
    if bad:
        print("  wrong: " + ", ".join(bad) + "; the server lists: " + ", ".join(sorted(mutf7_decode(w) for w in there)))
        return 1
    print("  " + ", ".join(ok))
    return 0


def snapshot(profile, account):
    root = os.path.join(profile, "mail", encode_level(account))
    out = []
    for d, _, files in os.walk(root):
        if os.path.basename(d) in ("cur", "new"):
            out += [os.path.relpath(os.path.join(d, f), root) for f in files]
    for f in sorted(out):
        print(f)
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "fill":
        return fill(args[:5], args[5:])
    if cmd == "compare":
        return compare(args[:5], args[5], args[6], "--no-flags" not in args[7:])
    if cmd == "names":
        return names(args[0], args[1], args[2:])
    if cmd == "change":
        return change(args[:5], args[5], args[6])
    if cmd == "has":
        return has(args[:5], args[5:])
    if cmd == "snapshot":
        return snapshot(args[0], args[1])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
