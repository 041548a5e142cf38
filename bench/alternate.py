#!/usr/bin/env python3
"""Alternating rounds of two or more clients after the same change on a server.

    alternate.py ROUNDS TOGGLE NAME=COMMAND [NAME=COMMAND ...]

Each round runs TOGGLE (a command line in which {op} stands for "-" in odd
rounds and "+" in even ones: the change is taken back, then made again),
then every client once, the one that goes
first taking turns from round to round. A client's wall time is taken
around its process (time.perf_counter, a microsecond where /usr/bin/time
gives 10 ms), its CPU time (user + system) from wait4. At the end, the
median and mean of each client's wall time and the median of its CPU
time; a round of more than SLOW seconds (1 unless set in the environment:
mbsync sleeps one second before its renames in some rounds) is left out
of its client's figures and counted apart. Commands are split as a shell
would (shlex) and run without one.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def run(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if status != 0:
        sys.exit("alternate.py: %s failed: %s" % (argv[0], err.strip()))
    return wall, usage.ru_utime + usage.ru_stime


def main(args):
    if len(args) < 3 or not all("=" in a for a in args[2:]):
        sys.exit(__doc__)
    rounds, toggle = int(args[0]), args[1]
    clients = [tuple(a.split("=", 1)) for a in args[2:]]
    slow = float(os.environ.get("SLOW", "1"))
    times = {name: [] for name, _ in clients}
    for r in range(rounds):
        op = "-" if r % 2 == 0 else "+"
        subprocess.run([a.replace("{op}", op) for a in shlex.split(toggle)], check=True, stdout=subprocess.DEVNULL)
        order = clients[r % len(clients):] + clients[:r % len(clients)]
        line = []
        for name, cmd in order:
            wall, cpu = run(shlex.split(cmd))
            times[name].append((wall, cpu))
            line.append("%s %.3f s wall %.2f s CPU" % (name, wall, cpu))
        print("  round %d: %s" % (r + 1, "   ".join(line)), flush=True)
    print("over %d rounds (wall: median, mean; CPU: median):" % rounds)
    for name, _ in clients:
        kept = [t for t in times[name] if t[0] <= slow]
        if not kept:
            print("  %-8s every round over %g s" % (name, slow))
            continue
        walls = [w for w, _ in kept]
        note = ""
        if len(kept) < rounds:
            note = "   (%d rounds over %g s left out)" % (rounds - len(kept), slow)
        print("  %-8s %.3f s, %.3f s; %.2f s CPU%s" % (name, statistics.median(walls), statistics.mean(walls),
                                                     statistics.median([c for _, c in kept]), note))


if __name__ == "__main__":
    main(sys.argv[1:])
