#!/usr/bin/env python3
"""Reads the JSON of `facteur route --json` for interop/mta.sh, which asks
dnsmasq about the course's domains, with Python's standard library only.
Prints one line per fact it checked and exits 1 when one is wrong.

  routecheck.py FILE TRUC_PORT

The recipients: marc@machin.com (a local mailbox), jean@truc.fr (the
transport table: [127.0.0.2]:TRUC_PORT), paul@chose.org (MX 5 and 10),
zoe@nomx.test (no MX: its A record), bob@sts.test (MTA-STS and TLS-RPT TXT
records, a TLSA record without DNSSEC), x@null.test (null MX) and
y@void.test (no such domain).
"""

import json
import sys


def check(failures, what, got, want):
    if got == want:
        print(f"ok: {what}: {got!r}")
    else:
        print(f"WRONG: {what}: {got!r}, want {want!r}")
        failures.append(what)


def hosts(d):
    return [(h["host"], h["pref"], h.get("addrs", [])) for h in d.get("hosts", [])]


def kinds(d):
    return [s["kind"] for s in d["path"]]


def main(argv):
    path, truc_port = argv[1], int(argv[2])
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    doms = {d["domain"]: d for d in report["domains"]}
    bad = []
    check(bad, "schema, account", (report["schema"], report["account"]), (1, "Local"))
    check(bad, "domains", sorted(doms), sorted(["machin.com", "truc.fr", "chose.org", "nomx.test", "sts.test", "null.test", "void.test"]))
    if bad:
        return 1
    m = doms["machin.com"]
    check(bad, "machin.com: local mailbox, no DNS", (kinds(m)[-1], m["path"][-1].get("login"), m["dns"]), ("mailbox", "marc", False))
    t = doms["truc.fr"]
    hop = [(s.get("host"), s.get("port")) for s in t["path"] if s["kind"] in ("transport", "host")]
    check(bad, "truc.fr: the transport table's host", hop[-1:], [("127.0.0.2", truc_port)])
    c = doms["chose.org"]
    check(bad, "chose.org: MX by preference", hosts(c), [("mx1.chose.org", 5, ["127.0.0.9"]), ("mx2.chose.org", 10, ["127.0.0.2"])])
    check(bad, "chose.org: local MTA then MX", kinds(c), ["local-mta", "mx"])
    n = doms["nomx.test"]
    check(bad, "nomx.test: implicit MX", (n["mx"].get("implicit", False), hosts(n)), (True, [("nomx.test", 0, ["127.0.0.2"])]))
    s = doms["sts.test"]
    sec = s["security"]
    check(bad, "sts.test: _mta-sts TXT id", (sec["mta_sts"].get("record") or {}).get("id"), "20261206")
    check(bad, "sts.test: policy fetch fails (no mta-sts host)", bool(sec["mta_sts"].get("fetch_error")), True)
    check(bad, "sts.test: TLS-RPT rua", (sec["tls_rpt"].get("record") or {}).get("rua"), ["mailto:tlsrpt@sts.test"])
    dane = sec.get("dane") or [{}]
    tlsa = [(r["usage"], r["selector"], r["matching_type"], r["data"]) for r in dane[0].get("records", [])]
    check(bad, "sts.test: TLSA of its MX", (dane[0].get("name"), tlsa), ("_25._tcp.mx.sts.test", [(3, 1, 1, "ab" * 32)]))
    check(bad, "sts.test: dnsmasq does not validate: no AD, not secure", (dane[0]["dnssec"]["ad"], dane[0]["dnssec"]["secure"]), (False, False))
    plan = s["hosts"][0].get("tls") or {}
    check(bad, "sts.test: insecure TLSA is not DANE", plan.get("verify") != "dane", True)
    check(bad, "null.test: flagged", doms["null.test"].get("flag"), "null-mx")
    check(bad, "void.test: flagged", doms["void.test"].get("flag"), "no-domain")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
