#!/usr/bin/env python3
"""Drives Facteur's IMAP server with Python's imaplib, and compares what it
serves with Maildir trees that other clients (mbsync, offlineimap,
neomutt, a second Facteur) wrote. Used by interop/imapd.sh.

    imapcheck.py seed SMTP_PORT RCPT               send the test messages over SMTP
    imapcheck.py commands PORT CA USER PASS MAILDIR every command of the issue
    imapcheck.py idle PORT CA USER PASS SMTP_PORT RCPT   IDLE woken by a delivery
    imapcheck.py compare PORT CA USER PASS DIR [--partial-ok]
    imapcheck.py state PORT CA USER PASS           folder: count, flags
    imapcheck.py store PORT CA USER PASS FOLDER FLAG   +FLAGS on the first message
    imapcheck.py flagged PORT CA USER PASS FOLDER  the Subjects of \\Flagged messages

Each command prints what it checked and exits 1 at the first difference.
"""
import email
import hashlib
import imaplib
import os
import re
import smtplib
import ssl
import sys
import time

HOST = "127.0.0.1"

MESSAGES = [
    ("plain", "text/plain; charset=us-ascii", "7bit", "Hello Marc,\r\n.a line that starts with a dot\r\n\r\n-- \r\nFred\r\n"),
    ("utf8", "text/plain; charset=utf-8", "8bit", "Réunion à 10 h, café compris.\r\n"),
    ("qp", "text/plain; charset=utf-8", "quoted-printable", "Budget: 1 000 =E2=82=AC, voir le d=C3=A9tail.\r\n"),
]


def message(i, kind, ctype, cte, body):
    return (
        f"From: Fred <fred@truc.fr>\r\nTo: marc@localhost\r\nSubject: {kind} {i}\r\n"
        f"Date: Mon, 02 Mar 2026 10:{i % 60:02d}:00 +0100\r\nMessage-ID: <{kind}.{i}@truc.fr>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{body}"
    )


def multipart(i):
    return (
        f"From: Anne <anne@machin.com>\r\nTo: marc@localhost\r\nSubject: attachment {i}\r\n"
        f"Date: Tue, 03 Mar 2026 09:30:00 +0000\r\nMessage-ID: <mp.{i}@machin.com>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Ordre du jour: budget\r\n--b1\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + "AAECAwQFBgcICQ==\r\n" * 50 + "--b1--\r\n"
    )


def seed(smtp_port, rcpt):
    with smtplib.SMTP(HOST, int(smtp_port)) as s:
        n = 0
        for i in range(4):
            for kind, ctype, cte, body in MESSAGES:
                s.sendmail("fred@truc.fr", [rcpt], message(i, kind, ctype, cte, body).encode())
                n += 1
            s.sendmail("anne@machin.com", [rcpt], multipart(i).encode())
            n += 1
    print(f"  {n} messages sent over SMTP to {rcpt}")


def connect(port, ca, user, pw):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False  # the MTA's certificate names the host, not 127.0.0.1's name
    m = imaplib.IMAP4(HOST, int(port))
    m.starttls(ssl_context=ctx)
    m.login(user, pw)
    return m


def ok(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    print(f"  ok: {what}")


def crlf(data):
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def norm(data):
    """Line ends do not matter between stores: LF everywhere; mbsync's own
    tracking field (X-TUID, which it adds to messages it stores) is left out."""
    return re.sub(rb"(?m)^X-TUID: [^\n]*\n", b"", data.replace(b"\r\n", b"\n"), count=1)


def folders(m):
    typ, data = m.list()
    out = []
    for line in data:
        flags, _, name = re.match(rb'\((.*?)\) "(.)" (.*)', line).groups()
        name = name.decode().strip('"')
        if b"\\Noselect" not in flags:
            out.append((name, flags.decode()))
    return out


def fetch_all(m, folder):
    """UID -> (flags, body) of a folder, read-only."""
    m.select(f'"{folder}"', readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta = item[0].decode()
        uid = int(re.search(r"UID (\d+)", meta).group(1))
        flags = re.search(r"FLAGS \((.*?)\)", meta).group(1).split()
        out[uid] = (sorted(flags), item[1])
    return out


def maildir_messages(d):
    """The files of a Maildir: (flags letters, bytes)."""
    out = []
    for sub in ("cur", "new"):
        p = os.path.join(d, sub)
        if not os.path.isdir(p):
            continue
        for n in sorted(os.listdir(p)):
            info = n.split(":2,", 1)[1] if ":2," in n else ""
            with open(os.path.join(p, n), "rb") as f:
                out.append((info, f.read()))
    return out


LETTERS = {"S": "\\Seen", "R": "\\Answered", "F": "\\Flagged", "D": "\\Draft", "T": "\\Deleted"}


def ident(m, when):
    """ID (RFC 2971), which imaplib does not know: the server names itself."""
    imaplib.Commands["ID"] = ("NONAUTH", "AUTH", "SELECTED")
    typ, data = m._simple_command("ID", '("name" "imaplib" "version" NIL)')
    typ, data = m._untagged_response(typ, data, "ID")
    answer = (data[0] or b"").decode()
    ok(typ == "OK" and '"name" "Facteur"' in answer and re.search(r'"version" "[^"]+"', answer),
       f"ID {when}: {answer}")


def commands(port, ca, user, pw, maildir):
    m = imaplib.IMAP4(HOST, int(port))
    caps = m.capabilities
    ok(b"STARTTLS" in caps or "STARTTLS" in caps, f"CAPABILITY before TLS: {' '.join(map(str, caps))}")
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    m.starttls(ssl_context=ctx)
    ident(m, "before LOGIN")
    m.login(user, pw)
    ident(m, "after LOGIN")
    typ, caps = m.capability()
    caps = caps[0].decode().split()
    for c in ("IMAP4rev2", "IMAP4rev1", "UIDPLUS", "MOVE", "SPECIAL-USE", "NAMESPACE", "IDLE", "LITERAL+", "UNSELECT", "ENABLE", "ID"):
        ok(c in caps, f"capability {c}")
    typ, ns = m.namespace()
    ok(typ == "OK" and b'(("" "/"))' in ns[0], f"NAMESPACE {ns[0].decode()}")
    ok(m.create("Archive/2026")[0] == "OK", "CREATE Archive/2026")
    ok(m.create("Tmp")[0] == "OK" and m.rename("Tmp", "Tmp2")[0] == "OK", "CREATE Tmp, RENAME Tmp Tmp2")
    ok(m.delete("Tmp2")[0] == "OK", "DELETE Tmp2")
    ok(m.delete("INBOX")[0] == "NO", "DELETE INBOX refused")
    ok(m.subscribe("Archive/2026")[0] == "OK" and m.unsubscribe("Archive/2026")[0] == "OK", "SUBSCRIBE, UNSUBSCRIBE")
    typ, lsub = m.lsub()
    ok(not any(b"Archive/2026" in l for l in lsub), "LSUB leaves Archive/2026 out")
    names = dict(folders(m))
    ok("INBOX" in names and "Archive/2026" in names, f"LIST: {sorted(names)}")
    typ, st = m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
    total = int(re.search(rb"MESSAGES (\d+)", st[0]).group(1))
    ok(total > 0, f"STATUS INBOX: {st[0].decode()}")

    # byte-for-byte: every message of INBOX is its Maildir file
    byimap = sorted(norm(b) for _, b in fetch_all(m, "INBOX").values())
    ondisk = sorted(norm(b) for _, b in maildir_messages(os.path.join(maildir, "INBOX")))
    ok(len(byimap) == total and byimap == ondisk, f"BODY[] of the {total} messages of INBOX equals their Maildir files, byte for byte")
    typ, data = m.select("INBOX")
    ok(typ == "OK", f"SELECT INBOX: {data[0].decode()} EXISTS")
    typ, data = m.fetch("1", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[]<0.20>)")
    meta = data[0][0].decode()
    size = int(re.search(r"RFC822.SIZE (\d+)", meta).group(1))
    typ, whole = m.fetch("1", "(BODY.PEEK[])")
    ok(size == len(whole[0][1]) and data[0][1] == whole[0][1][:20], f"FETCH ENVELOPE BODYSTRUCTURE RFC822.SIZE {size}, BODY[]<0.20>")
    ok("ENVELOPE (" in meta and "BODYSTRUCTURE (" in meta and "INTERNALDATE" in meta, "ENVELOPE, BODYSTRUCTURE, INTERNALDATE")
    typ, s1 = m.search(None, "SUBJECT", "attachment")
    typ, s2 = m.search(None, "BODY", "budget")
    typ, s3 = m.uid("SEARCH", "NOT", "SEEN", "FROM", "anne")
    ok(len(s1[0].split()) == 4 and len(s2[0].split()) >= 8 and len(s3[0].split()) == 4,
       f"SEARCH SUBJECT ({len(s1[0].split())}), BODY ({len(s2[0].split())}), UID SEARCH NOT SEEN FROM ({len(s3[0].split())})")
    ok(m.store("1:2", "+FLAGS", "(\\Flagged $Work)")[0] == "OK", "STORE +FLAGS (\\Flagged $Work)")
    typ, fl = m.fetch("1", "(FLAGS)")
    ok(b"\\Flagged" in fl[0] and b"$Work" in fl[0], f"FLAGS {fl[0].decode()}")
    typ, cp = m.copy("1:2", "Archive/2026")
    code, data = m.response("COPYUID")
    ok(typ == "OK" and data and data[0], f"COPY 1:2 Archive/2026: COPYUID {data[0].decode() if data and data[0] else None}")
    typ, mv = m.uid("MOVE", s3[0].split()[0], "Archive/2026")
    ok(typ == "OK", f"UID MOVE {s3[0].split()[0].decode()} Archive/2026")
    stamp = imaplib.Time2Internaldate(time.mktime((2025, 12, 24, 18, 0, 0, 0, 0, -1)))
    typ, ap = m.append("Archive/2026", "(\\Seen)", stamp, message(99, "appended", "text/plain", "7bit", "x\r\n").encode())
    ok(typ == "OK" and b"APPENDUID" in ap[0], f"APPEND with date and flags: {ap[0].decode()}")
    m.select("Archive/2026")
    typ, d = m.fetch("4", "(INTERNALDATE FLAGS)")
    ok(b"24-Dec-2025" in d[0] and b"\\Seen" in d[0], f"the appended message: {d[0].decode()}")
    m.store("1", "+FLAGS", "\\Deleted")
    typ, ex = m.expunge()
    ok(typ == "OK" and ex[0] == b"1", "EXPUNGE")
    m.store("1", "+FLAGS", "\\Deleted")
    typ, uids = m.uid("SEARCH", "DELETED")
    ok(m.uid("EXPUNGE", uids[0].decode())[0] == "OK", "UID EXPUNGE")
    typ, st = m.status("Archive/2026", "(MESSAGES)")
    ok(b"MESSAGES 2" in st[0], f"STATUS Archive/2026: {st[0].decode()}")
    ok(m.unselect()[0] == "OK", "UNSELECT")
    # ENABLE last: IMAP4rev2 answers SEARCH with ESEARCH, which imaplib does not read
    typ, en = m._simple_command("ENABLE", "IMAP4rev2")
    ok(typ == "OK" and b"IMAP4rev2" in m.untagged_responses.get("ENABLED", [b""])[0], "ENABLE IMAP4rev2")
    m.logout()


def idle(port, ca, user, pw, smtp_port, rcpt):
    m = connect(port, ca, user, pw)
    typ, data = m.select("INBOX")
    n = int(data[0])
    tag = m._new_tag()
    m.send(tag + b" IDLE\r\n")
    ok(m.readline().startswith(b"+"), "IDLE accepted")
    with smtplib.SMTP(HOST, int(smtp_port)) as s:
        s.sendmail("fred@truc.fr", [rcpt], message(500, "idle", "text/plain", "7bit", "pushed\r\n").encode())
    m.sock.settimeout(30)
    line = m.readline()
    ok(line.strip() == f"* {n + 1} EXISTS".encode(), f"woken during IDLE by the delivery: {line.decode().strip()}")
    m.send(b"DONE\r\n")
    while not m.readline().startswith(tag):
        pass
    m.logout()


def state(port, ca, user, pw):
    m = connect(port, ca, user, pw)
    out = {}
    for name, _ in folders(m):
        msgs = fetch_all(m, name)
        out[name] = {hashlib.sha256(norm(b)).hexdigest(): " ".join(f for f in fl if f != "\\Recent") for fl, b in msgs.values()}
    m.logout()
    return out


def compare(port, ca, user, pw, root, partial_ok=False):
    server = state(port, ca, user, pw)
    total = 0
    for name, msgs in sorted(server.items()):
        local = maildir_messages(os.path.join(root, name))
        hashes = {}
        for info, data in local:
            if partial_ok and data.startswith(b"X-Facteur-Partial:"):
                continue
            hashes[hashlib.sha256(norm(data)).hexdigest()] = " ".join(sorted(LETTERS[c] for c in info if c in LETTERS))
        want = {h: " ".join(sorted(f for f in fl.split() if f in LETTERS.values())) for h, fl in msgs.items()}
        if partial_ok:
            ok(len(local) == len(msgs), f"{name}: {len(local)} messages here, {len(msgs)} on the server")
            continue
        if hashes != want:
            for h in sorted(set(hashes) | set(want)):
                if hashes.get(h) != want.get(h):
                    print(f"  {name} {h[:12]}: here {hashes.get(h)!r}, server {want.get(h)!r}")
        ok(hashes == want, f"{name}: {len(msgs)} messages, the same bodies and flags here and on the server")
        total += len(msgs)
    print(f"  {len(server)} folders, {total} messages compared")


def store(port, ca, user, pw, folder, flag):
    m = connect(port, ca, user, pw)
    m.select(f'"{folder}"')
    ok(m.store("1", "+FLAGS", flag)[0] == "OK", f"STORE 1 +FLAGS {flag} in {folder}")
    m.logout()


def flagged(port, ca, user, pw, folder):
    m = connect(port, ca, user, pw)
    m.select(f'"{folder}"', readonly=True)
    typ, data = m.search(None, "FLAGGED")
    print(len(data[0].split()))
    m.logout()


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "seed":
        seed(*args)
    elif cmd == "commands":
        commands(*args)
    elif cmd == "idle":
        idle(*args)
    elif cmd == "compare":
        compare(*args[:5], partial_ok="--partial-ok" in args)
    elif cmd == "state":
        for name, msgs in sorted(state(*args).items()):
            print(f"  {name}: {len(msgs)} messages, {sum(1 for f in msgs.values() if f)} with flags")
    elif cmd == "store":
        store(*args)
    elif cmd == "flagged":
        flagged(*args)
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
