"""One Python measurement in a fresh process, the counterpart of one of bench/worker.ts's variants:

    python worker.py <n> <files|yaml|app> [count]

Imports cdk8s and cdk8s_ai (this starts the jsii runtime, a Node.js child process, and loads the assemblies of
constructs, cdk8s, cdk8s-plus-28 and cdk8s-ai into it: the fixed start-up cost, timed separately), then times the
same region as its TypeScript peer, building the fleet in between:

- files: AiApp(outdir=<fresh folder>), build, app.synth() (the files `cdk8s synth` writes; peer `oursFiles`);
- yaml:  AiApp(), build, app.synth_yaml() to one Python string (peer `ours`);
- app:   cdk8s's App(), build, app.synth_yaml() (peer `oursApp`);
- perService: files, with a fresh props struct built for every service (peer `oursFilesPerService`).

Prints one JSON line.

CPU time is counted in both processes: this Python process and the jsii runtime (its Node.js child, read from
/proc). With `count`, every request this process sends to the jsii runtime is counted by kind and target (create
of a class, invoke of a method, get of a property, ...) with the time spent waiting for the answers; counting costs
a little, so the runner does it in a separate process, not in the timed repetitions.
"""
import time

_T0 = time.perf_counter()
_CPU0 = time.process_time()

import collections  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

_TICK = os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> dict:
    """utime + stime of each live descendant of this process, by pid: the jsii runtime is a Node.js process that
    runs the kernel in a Node.js child of its own, so both are counted."""
    parent = {}
    cpu = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / _TICK
    me = os.getpid()
    out = {}
    for pid in parent:
        p = parent[pid]
        while p > 1 and p != me:
            p = parent.get(p, 0)
        if p == me:
            out[pid] = cpu[pid]
    return out


def peak_rss(pid="self") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def install_counter(counts: collections.Counter, waits: dict):
    """Counts every request to the jsii runtime (by kind and target) and the wall time spent waiting for answers."""
    from jsii._kernel.providers import process as jsii_process

    def target(kind, request):
        if kind == "create":
            return request.fqn
        if kind in ("invoke", "begin"):
            return request.method
        if kind in ("get", "set"):
            return request.property
        if kind in ("sinvoke",):
            return f"{request.fqn}.{request.method}"
        if kind in ("sget", "sset"):
            return f"{request.fqn}.{request.property}"
        return ""

    for kind in ("create", "get", "set", "sget", "sset", "invoke", "sinvoke", "delete", "complete", "sync_complete"):
        original = getattr(jsii_process.ProcessProvider, kind)

        def wrapped(self, request, *args, __kind=kind, __original=original, **kwargs):
            key = (__kind, target(__kind, request))
            counts[key] += 1
            start = time.perf_counter()
            try:
                return __original(self, request, *args, **kwargs)
            finally:
                waits["byTarget"][key] += time.perf_counter() - start

        setattr(jsii_process.ProcessProvider, kind, wrapped)

    original_send = jsii_process._NodeProcess.send

    def send(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original_send(self, *args, **kwargs)
        finally:
            waits["seconds"] += time.perf_counter() - start
            waits["requests"] += 1

    jsii_process._NodeProcess.send = send


def main() -> None:
    n = int(sys.argv[1])
    mode = sys.argv[2]
    if mode not in ("files", "yaml", "app", "perService"):
        raise SystemExit("usage: worker.py <n> <files|yaml|app|perService> [count]")
    count = len(sys.argv) > 3 and sys.argv[3] == "count"
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    import jsii  # noqa: F401  the jsii Python runtime library (the Node.js runtime starts with the first assembly)
    from jsii._kernel import Kernel
    t_jsii = time.perf_counter()
    loads = {}  # assembly -> wall ms of its load request (the first one includes starting the runtime)
    original_load = Kernel.load

    def timed_load(self, name, version, tarball):
        start = time.perf_counter()
        try:
            return original_load(self, name, version, tarball)
        finally:
            loads[name] = (time.perf_counter() - start) * 1000

    Kernel.load = timed_load
    from cdk8s import App  # noqa: starts the jsii runtime and loads constructs + cdk8s
    t_cdk8s = time.perf_counter()
    from cdk8s_ai import AiApp  # loads cdk8s-plus-28 and cdk8s-ai
    t_ai = time.perf_counter()
    from fleet import build_fleet

    import_ms = (time.perf_counter() - _T0) * 1000
    child_cpu_import = children_cpu_seconds()
    import_cpu_ms = (time.process_time() - _CPU0 + sum(child_cpu_import.values())) * 1000

    counts: collections.Counter = collections.Counter()
    waits = {"seconds": 0.0, "requests": 0, "byTarget": collections.Counter()}
    if count:
        install_counter(counts, waits)

    to_files = mode in ("files", "perService")
    outdir = tempfile.mkdtemp(prefix="cdk8s-ai-bench-py-") if to_files else None
    cpu_py = time.process_time()
    cpu_child = children_cpu_seconds()
    start = time.perf_counter()
    app = AiApp(outdir=outdir) if to_files else AiApp() if mode == "yaml" else App()
    build_fleet(app, n, props_per_service=mode == "perService")
    build_ms = (time.perf_counter() - start) * 1000
    build_cpu_ms = (time.process_time() - cpu_py) * 1000 + sum(
        cpu - cpu_child.get(pid, 0) for pid, cpu in children_cpu_seconds().items()) * 1000
    if to_files:
        app.synth()
    else:
        yaml = app.synth_yaml()
    ms = (time.perf_counter() - start) * 1000
    py_cpu_ms = (time.process_time() - cpu_py) * 1000
    child_after = children_cpu_seconds()
    node_cpu_ms = sum(child_after.get(pid, 0) - cpu_child.get(pid, 0) for pid in child_after) * 1000
    peak_python = peak_rss()
    peak_runtime = sum(peak_rss(pid) for pid in child_after)
    if outdir:
        # The fleet is one chart: one file with the same bytes as synth_yaml's string (read after the timed region).
        yaml = "".join(open(os.path.join(outdir, f), encoding="utf-8").read() for f in sorted(os.listdir(outdir)))
        shutil.rmtree(outdir, ignore_errors=True)

    data = yaml.encode("utf-8")
    sample = {
        "variant": "python",
        "mode": mode,
        "n": n,
        "ms": ms,
        "cpuMs": py_cpu_ms + node_cpu_ms,
        "buildMs": build_ms,
        "buildCpuMs": build_cpu_ms,
        "pythonCpuMs": py_cpu_ms,
        "runtimeCpuMs": node_cpu_ms,
        "importMs": import_ms,
        "importCpuMs": import_cpu_ms,
        "importPhasesMs": {
            "jsii": (t_jsii - _T0) * 1000,
            "cdk8s": (t_cdk8s - t_jsii) * 1000,
            "cdk8sAi": (t_ai - t_cdk8s) * 1000,
        },
        "assemblyLoadMs": loads,
        "peakRssBytes": peak_python,
        "runtimePeakRssBytes": peak_runtime,
        "objects": 0 if not yaml else len([1 for line in yaml.split("\n") if line == "---"]) + 1,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if count:
        sample["crossings"] = {
            "total": sum(counts.values()),
            "waitMs": waits["seconds"] * 1000,
            "requests": waits["requests"],
            "byTarget": [{"kind": k, "target": t, "count": c, "ms": waits["byTarget"][(k, t)] * 1000}
                         for (k, t), c in counts.most_common()],
        }
    sys.stdout.write(json.dumps(sample) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
