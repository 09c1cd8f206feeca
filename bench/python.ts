/**
 * The Python part of the benchmark: the fleet of fleet.ts written in Python (bench/python/fleet.py) against the
 * wheel jsii-pacmak builds, run in a fresh process per repetition (bench/python/worker.py).
 *
 * The wheel and its virtual environment come from the binding tests' pipeline (tools/bindings/pipeline.ts): the same
 * jsii compile, `projen package:python` and venv, with the same stamps and caches, so a run after the binding tests
 * (or a second bench run) rebuilds nothing.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  Crossings, fmtN, median, PYTHON_MODES, PYTHON_PEERS, PythonMode, PythonSizeResult, SizeResult, summarize, TimedSample,
} from './report';
import { compile, packagePython, pythonEnvironment, timings } from '../tools/bindings/pipeline';

const ROOT = path.resolve(__dirname, '..');
const WORKER = path.join(ROOT, 'bench', 'python', 'worker.py');
/** What each Python mode other than `files` times, in words. */
const ALTERNATIVES: Record<Exclude<PythonMode, 'files'>, string> = {
  yaml: 'AiApp(), build, synth_yaml() to a Python string',
  app: "cdk8s's App(), build, synth_yaml() to a Python string",
  perService: 'AiApp(outdir), build with a fresh props struct per service, synth() to files',
};

/** What worker.py prints. */
export interface PythonSample extends TimedSample {
  readonly variant: 'python';
  readonly n: number;
  readonly pythonCpuMs: number;
  readonly runtimeCpuMs: number;
  readonly importMs: number;
  readonly importCpuMs: number;
  /** Start-up split: `import jsii`; `from cdk8s import App` (runtime start, constructs and cdk8s); `import cdk8s_ai`. */
  readonly importPhasesMs: { jsii: number; cdk8s: number; cdk8sAi: number };
  /** Wall time of each assembly's load request to the jsii runtime (the first includes the runtime's start). */
  readonly assemblyLoadMs: Record<string, number>;
  readonly runtimePeakRssBytes: number;
  /** Whole process, measured by the runner. */
  processMs: number;
  readonly crossings?: { total: number; waitMs: number; requests: number; byTarget: Crossings['byTarget'] };
}

/** The jsii runtime (Node.js) warns on every start about Node 20; the bench reads only stdout but keeps stderr clean. */
export function jsiiEnv(): Record<string, string> {
  const major = process.versions.node.split('.')[0];
  return {
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: major,
    JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: major,
    JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Builds (or finds up to date) the jsii assembly, the wheel and the venv; returns the venv's python. */
export function preparePython(): string {
  const before = timings.length;
  compile();
  const wheel = packagePython();
  const venvPython = pythonEnvironment(wheel);
  const steps = timings.slice(before).map((t) => `${t.step} ${t.cached ? 'up to date' : `${t.seconds.toFixed(0)} s`}`);
  console.log(`python: ${steps.join(', ')}`);
  return venvPython;
}

export function runPythonWorker(venvPython: string, n: number, mode: PythonMode, count: boolean): PythonSample {
  const start = process.hrtime.bigint();
  const r = spawnSync(venvPython, [WORKER, String(n), mode, ...(count ? ['count'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...jsiiEnv() },
    maxBuffer: 64 * 1024 * 1024,
  });
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`python ${mode} N=${n} failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-4000)}`);
  const sample = JSON.parse(r.stdout.trim().split('\n').pop()!) as PythonSample;
  sample.processMs = processMs;
  return sample;
}

/** Medians of one Python mode's repetitions at one size. */
function summarizeMode(n: number, mode: PythonMode, samples: PythonSample[]) {
  const fleet = summarize(samples, `python ${mode} N=${n}`);
  return {
    ...fleet,
    medianPythonCpuMs: median(samples.map((s) => s.pythonCpuMs)),
    medianRuntimeCpuMs: median(samples.map((s) => s.runtimeCpuMs)),
    maxRuntimePeakRssBytes: Math.max(...samples.map((s) => s.runtimePeakRssBytes)),
  };
}

/**
 * Medians of the Python repetitions at one size, each mode against the TypeScript variant measured the same way
 * (PYTHON_PEERS): `files` is the judged one, the others are printed beside it.
 */
export function summarizePython(n: number, byMode: Record<PythonMode, PythonSample[]>, ts: SizeResult['variants']): PythonSizeResult {
  const samples = byMode.files;
  const fleet = summarizeMode(n, 'files', samples);
  const peer = ts[PYTHON_PEERS.files]!;
  const counted = samples.find((s) => s.crossings)?.crossings;
  let crossings: Crossings | undefined;
  if (counted) {
    crossings = {
      total: counted.total,
      perService: counted.total / n,
      waitMs: counted.waitMs,
      byTarget: counted.byTarget.map((x) => ({ ...x, ms: Math.round(x.ms * 10) / 10 })),
    };
  }
  const alternatives: NonNullable<PythonSizeResult['alternatives']> = {};
  for (const mode of PYTHON_MODES) {
    const against = ts[PYTHON_PEERS[mode]];
    if (mode === 'files' || !byMode[mode].length || !against) continue;
    const f = summarizeMode(n, mode, byMode[mode]);
    alternatives[mode] = {
      what: ALTERNATIVES[mode as Exclude<PythonMode, 'files'>],
      against: PYTHON_PEERS[mode],
      fleet: f,
      sameBytesAsTypeScript: f.sha256 === against.sha256 && f.bytes === against.bytes,
      ratio: f.medianMs / against.medianMs,
      cpuRatio: f.medianCpuMs / against.medianCpuMs,
    };
  }
  return {
    n,
    fleet,
    startup: {
      medianMs: median(samples.map((s) => s.importMs)),
      medianCpuMs: median(samples.map((s) => s.importCpuMs)),
      samplesMs: samples.map((s) => Math.round(s.importMs)),
      phasesMs: {
        jsii: median(samples.map((s) => s.importPhasesMs.jsii)),
        cdk8s: median(samples.map((s) => s.importPhasesMs.cdk8s)),
        cdk8sAi: median(samples.map((s) => s.importPhasesMs.cdk8sAi)),
      },
      assemblyLoadMs: Object.fromEntries(Object.keys(samples[0].assemblyLoadMs)
        .map((k) => [k, median(samples.map((s) => s.assemblyLoadMs[k] ?? NaN))])),
    },
    processMedianMs: median(samples.map((s) => s.processMs)),
    sameBytesAsTypeScript: fleet.sha256 === peer.sha256 && fleet.bytes === peer.bytes,
    ratio: fleet.medianMs / peer.medianMs,
    cpuRatio: fleet.medianCpuMs / peer.medianCpuMs,
    crossings,
    alternatives,
  };
}

/** Where the Python time goes: jsii requests per service, by target, at the largest counted size. */
export function crossingsReport(python: PythonSizeResult[]): string {
  const counted = [...python].reverse().find((p) => p.crossings);
  if (!counted?.crossings) return '';
  const c = counted.crossings;
  const lines = [`jsii boundary crossings at N=${fmtN(counted.n)} (first repetition, counted in the Python process): ` +
    `${fmtN(c.total)} requests, ${c.perService.toFixed(1)} per service; waiting for the jsii runtime's answers took ` +
    `${(c.waitMs / 1000).toFixed(2)} s of the ${(counted.fleet.samplesMs[0] / 1000).toFixed(2)} s timed region`];
  for (const x of [...c.byTarget].sort((a, b) => b.ms - a.ms).slice(0, 14)) {
    lines.push(`  ${`${x.kind} ${x.target}`.padEnd(48)} ${fmtN(x.count).padStart(7)}  ${(x.count / counted.n).toFixed(2).padStart(6)}/svc  ` +
      `${(x.ms / 1000).toFixed(2).padStart(7)} s`);
  }
  return lines.join('\n');
}
