#!/usr/bin/env python3
"""Reads what the MTAs delivered, with Python's standard library only, for
interop/mta.sh: mailbox (Maildir, mbox) and poplib. Each command prints one
line saying what it found and exits 1 when the check fails.

  gen ID FROM TO SUBJECT FILE      write a test message (LF line endings)
  maildir DIR SENT [--trace RE]... every message SENT (by Message-ID) is in the
                                   Maildir once: its header section ends with
                                   SENT's header section, its body is SENT's
                                   body byte for byte, and each RE matches a
                                   trace field above it
  mbox FILE SENDER SENT [SENDER SENT]...
                                   the same for an mbox spool file (mboxrd
                                   quoting undone), message for message, in
                                   order, each From_ line naming its SENDER
  count DIR N                      the Maildir holds exactly N messages
  pop3 HOST PORT USER PASS DIR     STLS, USER/PASS, STAT, UIDL, RETR of every
                                   message: the same bytes as the Maildir files
"""

import email.utils
import mailbox
import os
import poplib
import re
import ssl
import sys
import time


def gen(ident, sender, rcpt, subject, path):
    """A message with what breaks naive transports: a "From " line (mbox
    quoting), a lone dot and a leading dot (SMTP dot-stuffing), 8-bit UTF-8,
    trailing blanks, a tab and a long line."""
    body = (
        "Bonjour,\n"
        "\n"
        "From the course: a line starting with From must be quoted in an mbox.\n"
        ">From an already quoted line (mboxrd quotes it once more).\n"
        ".\n"
        "The line above is a lone dot; this one is followed by a leading dot:\n"
        "..two dots, one of them stuffed on the wire\n"
        "Ligne en UTF-8 : àéèçù — « guillemets » 日本語 ✉\n"
        "Trailing blanks   \n"
        "\tA tab-indented line\n"
        + "0123456789" * 90 + "\n"
        "\n"
        "-- \n"
        "Message " + ident + "\n"
    )
    headers = (
        "From: Interop <" + sender + ">\n"
        "To: <" + rcpt + ">\n"
        "Subject: " + subject + "\n"
        "Date: " + email.utils.formatdate(localtime=True) + "\n"
        "Message-ID: <" + ident + "@interop.facteur.test>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
    )
    with open(path, "wb") as f:
        f.write((headers + "\n" + body).encode("utf-8"))


def lf(data):
    return data.replace(b"\r\n", b"\n")


def split(data):
    """Header section (with its last newline) and body of a message."""
    data = lf(data)
    i = data.find(b"\n\n")
    if i < 0:
        return data, b""
    return data[: i + 1], data[i + 2 :]


def message_id(data):
    m = re.search(rb"(?im)^Message-ID:\s*(<[^>]*>)", split(data)[0])
    return m.group(1).decode() if m else None


def compare(got, sent, traces):
    """Why got is not sent with trace fields above it, or None."""
    gh, gb = split(got)
    sh, sb = split(sent)
    if gb != sb:
        return "body differs: %d bytes, want %d; first difference at byte %d" % (
            len(gb), len(sb), next((i for i, (a, b) in enumerate(zip(gb, sb)) if a != b), min(len(gb), len(sb))))
    if not gh.endswith(sh):
        return "the header section does not end with the sent one"
    trace = gh[: len(gh) - len(sh)].decode("utf-8", "replace")
    unfolded = re.sub(r"\n[ \t]+", " ", trace)
    for t in traces:
        if not re.search(t, unfolded, re.M):
            return "no trace field matches %r in:\n%s" % (t, trace)
    return None


def fail(msg):
    print("  " + msg.replace("\n", "\n  "))
    sys.exit(1)


def maildir(path, sent_path, traces):
    sent = open(sent_path, "rb").read()
    want = message_id(sent)
    box = mailbox.Maildir(path, factory=None, create=False)
    found = [k for k in box.keys() if message_id(box.get_bytes(k)) == want]
    if len(found) != 1:
        fail("%s: %d messages with Message-ID %s in %s, want 1" % (sent_path, len(found), want, path))
    why = compare(box.get_bytes(found[0]), sent, traces)
    if why:
        fail("%s: %s" % (found[0], why))
    print("  %s: %s, %d bytes, body identical, trace fields ok" % (path, want, len(box.get_bytes(found[0]))))


def mbox(path, pairs):
    box = mailbox.mbox(path, create=False)
    keys = list(box.keys())
    if len(keys) != len(pairs):
        fail("%s: %d messages, want %d" % (path, len(keys), len(pairs)))
    for k, (sender, sp) in zip(keys, pairs):
        sent = open(sp, "rb").read()
        msg = box.get_message(k)
        frm = msg.get_from()
        if not frm.startswith(sender + " "):
            fail("message %d: From_ line %r does not name %s" % (k, frm, sender))
        # mboxrd: the writer put one more '>' before every ">*From " line.
        got = re.sub(rb"(?m)^>(>*From )", rb"\1", box.get_bytes(k))
        if got.endswith(b"\n\n"):  # the blank line that separates messages
            got = got[:-1]
        why = compare(got, sent, [r"^Return-Path: <" + re.escape(sender) + ">$", r"^Delivered-To: ", r"\(Facteur\)"])
        if why:
            fail("message %d: %s" % (k, why))
    print("  %s: %d messages, From_ lines %s, bodies identical after mboxrd unquoting" % (
        path, len(keys), [box.get_message(k).get_from().split()[0] for k in keys]))


def count(path, n):
    box = mailbox.Maildir(path, factory=None, create=False)
    if len(box) != n:
        fail("%s: %d messages, want %d" % (path, len(box), n))
    print("  %s: %d messages" % (path, n))


def pop3(host, port, user, password, path):
    box = mailbox.Maildir(path, factory=None, create=False)
    files = sorted(lf(box.get_bytes(k)) for k in box.keys())
    p = poplib.POP3(host, port, timeout=10)
    try:
        caps = p.capa()
        if "STLS" not in caps or "UIDL" not in caps:
            fail("CAPA lacks STLS or UIDL: %s" % sorted(caps))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the MTA's self-signed certificate
        p.stls(context=ctx)
        p.user(user)
        p.pass_(password)
        n, size = p.stat()
        uidl = p.uidl()[1]
        uids = [u.split()[1] for u in uidl]
        if len(uids) != n or len(set(uids)) != n:
            fail("UIDL: %d unique ids for %d messages" % (len(set(uids)), n))
        got = []
        for i in range(1, n + 1):
            lines = p.retr(i)[1]
            got.append(b"\n".join(lines) + b"\n")
    finally:
        try:
            p.quit()
        except Exception:
            pass
    if len(got) != len(files):
        fail("STAT says %d messages, the Maildir holds %d" % (n, len(files)))
    if sorted(got) != files:
        bad = sum(1 for g in got if g not in files)
        fail("%d of %d messages retrieved differ from the Maildir files" % (bad, n))
    print("  POP3 %s:%s: STLS, USER/PASS, %d messages (%d octets), %d UIDLs, RETR identical to the Maildir" % (host, port, n, size, len(uids)))


def strip_fetchmail_received(data):
    """The message without the Received field fetchmail adds (after the
    Return-Path and Delivered-To fields it keeps first), continuation lines
    with it; fails if there is none."""
    data = lf(data)
    head_end = data.find(b"\n\n")
    head = data[:head_end + 1] if head_end >= 0 else data
    fields, cur = [], b""
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and cur:
            cur += line
        else:
            if cur:
                fields.append(cur)
            cur = line
    if cur:
        fields.append(cur)
    for i, f in enumerate(fields):
        if f.lower().startswith(b"received:") and b"(fetchmail-" in f:
            return b"".join(fields[:i] + fields[i + 1:]) + data[len(head):]
    fail("no Received field of fetchmail in its copy: %r" % head[:300])


def fetchmailed(got_dir, path):
    """The files fetchmail's MDA wrote hold the Maildir's messages, each
    once, identical once fetchmail's Received field is taken off."""
    box = mailbox.Maildir(path, factory=None, create=False)
    files = sorted(lf(box.get_bytes(k)) for k in box.keys())
    got = []
    for name in sorted(os.listdir(got_dir)):
        with open(os.path.join(got_dir, name), "rb") as f:
            got.append(strip_fetchmail_received(f.read()))
    if len(got) != len(files):
        fail("fetchmail delivered %d messages, the Maildir holds %d" % (len(got), len(files)))
    if sorted(got) != files:
        bad = sum(1 for g in got if g not in files)
        fail("%d of %d messages fetched differ from the Maildir files" % (bad, len(got)))
    print("  %d messages, each once, identical to the Maildir's but fetchmail's Received field" % len(got))


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "gen":
        gen(*args)
    elif cmd == "maildir":
        traces = []
        while len(args) > 2 and args[2] == "--trace":
            traces.append(args[3])
            args = args[:2] + args[4:]
        maildir(args[0], args[1], traces)
    elif cmd == "mbox":
        mbox(args[0], list(zip(args[1::2], args[2::2])))
    elif cmd == "count":
        count(args[0], int(args[1]))
    elif cmd == "pop3":
        pop3(args[0], int(args[1]), args[2], args[3], args[4])
    elif cmd == "fetchmailed":
        fetchmailed(args[0], args[1])
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
