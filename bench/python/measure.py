"""Runs commands one after another and measures them from outside: `python measure.py <plan.json>`.

The plan: {"commands": [{"argv": [...], "cwd": "...", "env": {...}}], "stdout": "<file>" | null}. Each command's
stdout is appended to the stdout file (or dropped); a failing command stops the run (exit 1, its stderr on ours).
Prints one JSON line: wall time of the whole sequence, CPU time (user + system) of all the commands and their
descendants (getrusage of the waited children), and the largest peak RSS of any one of them.
"""
import json
import os
import resource
import subprocess
import sys
import time


def main() -> None:
    with open(sys.argv[1]) as f:
        plan = json.load(f)
    out = open(plan["stdout"], "wb") if plan.get("stdout") else subprocess.DEVNULL
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in plan["commands"]:
        env = dict(os.environ, **command.get("env", {}))
        r = subprocess.run(command["argv"], cwd=command.get("cwd"), env=env, stdout=out, stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.stderr.write(f"{' '.join(command['argv'])} failed (exit {r.returncode}):\n{r.stderr.decode(errors='replace')[-4000:]}\n")
            sys.exit(1)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out is not subprocess.DEVNULL:
        out.close()
    user = after.ru_utime - before.ru_utime
    system = after.ru_stime - before.ru_stime
    sys.stdout.write(json.dumps({
        "wallMs": wall * 1000,
        "cpuMs": (user + system) * 1000,
        "userMs": user * 1000,
        "sysMs": system * 1000,
        "maxRssBytes": after.ru_maxrss * 1024,
        "commands": len(plan["commands"]),
    }) + "\n")


if __name__ == "__main__":
    main()
