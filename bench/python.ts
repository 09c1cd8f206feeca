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
import { Crossings, fmtN, median, PythonSizeResult, summarize, TimedSample, VariantResult } from './report';
import { compile, packagePython, pythonEnvironment, timings } from '../tools/bindings/pipeline';

const ROOT = path.resolve(__dirname, '..');
const WORKER = path.join(ROOT, 'bench', 'python', 'worker.py');

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

export function runPythonWorker(venvPython: string, n: number, count: boolean): PythonSample {
  const start = process.hrtime.bigint();
  const r = spawnSync(venvPython, [WORKER, String(n), ...(count ? ['count'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...jsiiEnv() },
    maxBuffer: 64 * 1024 * 1024,
  });
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`python N=${n} failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-4000)}`);
  const sample = JSON.parse(r.stdout.trim().split('\n').pop()!) as PythonSample;
  sample.processMs = processMs;
  return sample;
}

/** Medians of the Python repetitions at one size, against the TypeScript `ours` at the same size. */
export function summarizePython(n: number, samples: PythonSample[], ours: VariantResult): PythonSizeResult {
  const fleet = summarize(samples, `python N=${n}`);
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
  return {
    n,
    fleet: {
      ...fleet,
      medianPythonCpuMs: median(samples.map((s) => s.pythonCpuMs)),
      medianRuntimeCpuMs: median(samples.map((s) => s.runtimeCpuMs)),
      maxRuntimePeakRssBytes: Math.max(...samples.map((s) => s.runtimePeakRssBytes)),
    },
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
    sameBytesAsTypeScript: fleet.sha256 === ours.sha256 && fleet.bytes === ours.bytes,
    ratio: fleet.medianMs / ours.medianMs,
    cpuRatio: fleet.medianCpuMs / ours.medianCpuMs,
    crossings,
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
