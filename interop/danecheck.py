#!/usr/bin/env python3
"""Reads the JSON of `facteur route --json` for interop/dnssec.sh, which
asks a validating unbound about zones that NSD serves, with Python's
standard library only. Prints one line per fact it checked and exits 1 when
one is wrong.

  danecheck.py DOMAIN FILE SPKI_SHA256

DOMAIN is one of:
  dane.test   signed: every answer has AD and is secure, the TLSA record
              (3 1 1 SPKI_SHA256) of mx.dane.test is usable, the local
              MTA's plan for mx.dane.test is DANE with TLS required;
  bogus.test  signed, its MX record forged: unbound answers SERVFAIL with
              extended error 6 (DNSSEC Bogus), a temporary failure flagged
              dnssec-bogus, neither a secure DANE domain nor NXDOMAIN;
  plain.test  not signed: answers without AD, the TLSA record not used.
"""

import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
from routecheck import check, hosts  # noqa: E402 (interop/routecheck.py, beside this file)


def dnssec(d):
    return (d["ad"], d["secure"])


def tlsa_of(dom, host):
    for h in dom["security"].get("dane") or []:
        if h["host"] == host:
            return h
    return None


def common(bad, report, name):
    check(bad, "schema, account", (report["schema"], report["account"]), (1, "Local"))
    check(bad, "the AD bit of the resolver given with --dns is trusted", report["dnssec_trust"], "configured")
    doms = [d for d in report["domains"] if d["domain"] == name]
    check(bad, "one domain", [d["domain"] for d in report["domains"]], [name])
    return doms[0] if doms else None


def mx_answer(bad, d, secure):
    """The MX answer of d: found, mx.DOMAIN at 127.0.0.2, AD and secure or neither."""
    name, mx = d["domain"], d["mx"]
    check(bad, f"{name}: MX answer", mx["answer"]["status"], "ok")
    check(bad, f"{name}: MX answer AD and secure", dnssec(mx["dnssec"]), (secure, secure))
    check(bad, f"{name}: MX hosts", hosts(d), [(f"mx.{name}", 10, ["127.0.0.2"])])


def signed(bad, d, spki):
    name = d["domain"]
    mx_answer(bad, d, True)
    if not d.get("hosts"):
        return
    h = d["hosts"][0]
    check(bad, f"mx.{name}: address answer has AD and is secure", dnssec(h["addrs_dnssec"]), (True, True))
    t = tlsa_of(d, f"mx.{name}")
    check(bad, f"mx.{name}: TLSA looked up", t is not None, True)
    if t is not None:
        recs = [(r["usage"], r["selector"], r["matching_type"], r["data"]) for r in t.get("records") or []]
        check(bad, f"mx.{name}: TLSA record", (t["name"], recs), (f"_25._tcp.mx.{name}", [(3, 1, 1, spki)]))
        check(bad, f"mx.{name}: TLSA answer has AD and is secure", dnssec(t["dnssec"]), (True, True))
    check(bad, f"{name}: the local MTA enforces the hosts' TLS plans", d.get("enforced", False), True)
    plan = h.get("tls") or {}
    check(bad, f"mx.{name}: TLS plan", (plan.get("verify"), plan.get("require", False), plan.get("source")), ("dane", True, "DANE"))
    check(bad, f"{name}: not flagged", d.get("flag", ""), "")


def bogus(bad, d):
    name = d["domain"]
    mx = d["mx"]
    check(bad, f"{name}: MX answer is a temporary failure (SERVFAIL)", mx["answer"]["status"], "temporary")
    check(bad, f"{name}: the error says SERVFAIL", "SERVFAIL" in mx["answer"].get("error", ""), True)
    check(bad, f"{name}: MX answer not secure", dnssec(mx["dnssec"]), (False, False))
    check(bad, f"{name}: no MX host taken from the forged answer", d.get("hosts", []), [])
    check(bad, f"{name}: unbound's extended error kept", "extended error 6 (DNSSEC Bogus)" in mx["answer"].get("error", ""), True)
    check(bad, f"{name}: flagged as failing DNSSEC validation, not as a missing domain", d.get("flag", ""), "dnssec-bogus")
    secure = [h["host"] for h in d["security"].get("dane") or [] if h["dnssec"]["secure"]]
    check(bad, f"{name}: no secure TLSA", secure, [])
    plans = [h["tls"].get("verify") for h in d.get("hosts", []) if h.get("tls")]
    check(bad, f"{name}: no DANE plan", "dane" in plans, False)


def plain(bad, d, spki):
    name = d["domain"]
    mx_answer(bad, d, False)
    t = tlsa_of(d, f"mx.{name}")
    if t is not None and t.get("records"):
        recs = [(r["usage"], r["selector"], r["matching_type"], r["data"]) for r in t["records"]]
        check(bad, f"mx.{name}: TLSA record read", recs, [(3, 1, 1, spki)])
        check(bad, f"mx.{name}: TLSA answer has no AD", dnssec(t["dnssec"]), (False, False))
    plan = (d["hosts"][0].get("tls") or {}) if d.get("hosts") else {}
    check(bad, f"mx.{name}: insecure TLSA is not DANE", plan.get("verify") != "dane", True)


def main(argv):
    name, path, spki = argv[1], argv[2], argv[3]
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    bad = []
    d = common(bad, report, name)
    if d is None:
        return 1
    if name == "dane.test":
        signed(bad, d, spki)
    elif name == "bogus.test":
        bogus(bad, d)
    elif name == "plain.test":
        plain(bad, d, spki)
    else:
        print(f"unknown domain {name}")
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
