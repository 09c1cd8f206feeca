/**
 * The benchmark's pure logic: result types, medians, the issue's targets and the text tables. No I/O, no processes
 * (test/bench/report.test.ts covers it).
 */

import type { ColdResult } from './cold';

/** The benchmark's parts (bench/README.md), selected with --fleet, --python, --helm, --cold. */
export const PARTS = ['fleet', 'python', 'helm', 'cold'] as const;
export type Part = typeof PARTS[number];

/** Result-file format version; bump when fields change meaning. */
export const SCHEMA = 'cdk8s-ai-bench/2';

/** The targets of issue 22, checked on the medians of one run. */
export const TARGETS = {
  /** ours / raw cdk8s (the baseline), judged on CPU time, at each of these sizes. */
  oursToBaselineAt: [1000, 3000],
  oursToBaselineCpuMax: 1.15,
  /** ours / YAML floor, judged on CPU time, at each of these sizes. */
  oursToFloorAt: [1000, 3000],
  oursToFloorCpuMax: 1.5,
  rssAt: 3000,
  rssMaxBytes: 600 * 1024 * 1024,
  growthFrom: 1000,
  growthTo: 3000,
  growthMax: 3.2,
  /** Python / TypeScript, judged on wall time (what the user waits for), at this size. */
  pythonAt: 1000,
  pythonMax: 1.3,
};

/**
 * The TypeScript variants of the fleet part (bench/worker.ts): `ours` (our constructs in an AiApp, judged),
 * `oursApp` (the same in cdk8s's App, printed beside it), `baseline` (raw cdk8s) and `floor` (Yaml.stringify).
 */
export const VARIANTS = ['ours', 'oursApp', 'baseline', 'floor'] as const;
/** Every TypeScript variant: the fleet's, and `oursFiles` (AiApp + app.synth() to files), the Python part's peer. */
export type Measured = typeof VARIANTS[number] | 'oursFiles' | 'oursFilesPerService';

/** What one timed process reports (worker.ts prints it; the Python worker prints the same fields and more). */
export interface TimedSample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly objects: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly contentSha256?: string;
  /** Wall and CPU time of the build phase (App + constructs, before synthesis), where the worker measures it. */
  readonly buildMs?: number;
  readonly buildCpuMs?: number;
}

export interface VariantResult {
  /** Median wall time of the timed region (build + synth to a YAML string), ms. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
  /** Median CPU time (user + system) of the timed region, ms: less sensitive to other load on the machine. */
  medianCpuMs: number;
  samplesCpuMs: number[];
  /** Median over repetitions of each process's peak RSS. */
  medianPeakRssBytes: number;
  /** Highest peak RSS of any repetition. */
  maxPeakRssBytes: number;
  objects: number;
  bytes: number;
  sha256: string;
  contentSha256?: string;
  /** Median wall and CPU time of the build phase (the rest of the timed region is synthesis), when measured. */
  medianBuildMs?: number;
  medianBuildCpuMs?: number;
}

export interface Ratios {
  oursToBaseline: number;
  oursToFloor: number;
  baselineToFloor: number;
  /** The same fleet in cdk8s's own App (before AiApp), against raw cdk8s and the floor, and ours against it. */
  oursAppToBaseline?: number;
  oursAppToFloor?: number;
  oursToOursApp?: number;
}

export interface SizeResult {
  n: number;
  objects: number;
  bytes: number;
  /** Baseline and floor write the same number of objects and bytes as ours, and the same documents. */
  identical: { objects: boolean; bytes: boolean; content: boolean; floorBytesEqual: boolean };
  /** `ours` always; `oursApp`, `baseline` and `floor` when the fleet part ran; `oursFiles` with the Python part. */
  variants: {
    ours: VariantResult;
    oursApp?: VariantResult;
    oursFiles?: VariantResult;
    oursFilesPerService?: VariantResult;
    baseline?: VariantResult;
    floor?: VariantResult;
  };
  /** Ratios of the median wall times (absent without the fleet part). */
  ratios?: Ratios;
  /** Ratios of the median CPU times. */
  cpuRatios?: Ratios;
}

/** The Python fleet at one size (bench/python/worker.py through the built wheel). */
export interface PythonSizeResult {
  n: number;
  /**
   * The judged timed region: AiApp(outdir), build the fleet, app.synth() (files, as `cdk8s synth` runs it), against
   * the TypeScript `oursFiles`. CPU = this Python process + the jsii runtime's.
   */
  fleet: VariantResult & { medianPythonCpuMs: number; medianRuntimeCpuMs: number; maxRuntimePeakRssBytes: number };
  /** Fixed start-up: `import cdk8s, cdk8s_ai` (starts the jsii runtime and loads the four assemblies into it). */
  startup: {
    medianMs: number;
    medianCpuMs: number;
    samplesMs: number[];
    /** Medians of `import jsii`, `from cdk8s import App` (jsii runtime start + constructs and cdk8s), `import cdk8s_ai`. */
    phasesMs?: { jsii: number; cdk8s: number; cdk8sAi: number };
    /** Medians of each assembly's load request to the jsii runtime (the first includes starting the runtime). */
    assemblyLoadMs?: Record<string, number>;
  };
  /** Whole process as the runner saw it (interpreter start to exit). */
  processMedianMs: number;
  /** Same YAML bytes as the TypeScript `ours` (sha256). */
  sameBytesAsTypeScript: boolean;
  /** Python / TypeScript `ours`, from the median wall and CPU times of the timed region. */
  ratio: number;
  cpuRatio: number;
  /** Requests to the jsii runtime during the timed region (first repetition, counted). */
  crossings?: Crossings;
  /**
   * The same fleet measured other ways, each against the TypeScript variant measured the same way: `yaml` (AiApp,
   * synth_yaml() to one Python string, against `ours`) and `app` (cdk8s's App, synth_yaml(), against `oursApp`).
   */
  alternatives?: Record<string, PythonAlternative>;
}

/**
 * How the Python worker times the fleet: `files` (AiApp + app.synth() into an outdir, as `cdk8s synth` runs it; the
 * judged one), `yaml` (AiApp + synth_yaml() to a Python string), `app` (cdk8s's App + synth_yaml()), `perService`
 * (`files` with a fresh props struct built for every service, as the fleet was written until each distinct props
 * object was built once).
 */
export const PYTHON_MODES = ['files', 'yaml', 'app', 'perService'] as const;
export type PythonMode = typeof PYTHON_MODES[number];
/** The TypeScript variant measured the same way as each Python mode. */
export const PYTHON_PEERS: Record<PythonMode, Measured> = { files: 'oursFiles', yaml: 'ours', app: 'oursApp', perService: 'oursFilesPerService' };

/** One other way of measuring the Python fleet, against its TypeScript peer. */
export interface PythonAlternative {
  /** What is timed, in words. */
  what: string;
  /** The TypeScript variant it is divided by. */
  against: Measured;
  fleet: VariantResult & { medianPythonCpuMs: number; medianRuntimeCpuMs: number; maxRuntimePeakRssBytes: number };
  sameBytesAsTypeScript: boolean;
  ratio: number;
  cpuRatio: number;
}

export interface Crossings {
  total: number;
  perService: number;
  /** Wall time waiting for the jsii runtime's answers, ms (all requests). */
  waitMs: number;
  byTarget: { kind: string; target: string; count: number; ms: number }[];
}

/** The helm peer at one size: one `helm template` process per release (per model), in a loop. */
export interface HelmSizeResult {
  n: number;
  releases: number;
  wallMs: number;
  cpuMs: number;
  /** Largest peak RSS of any one helm process. */
  maxRssBytes: number;
  objects: number;
  bytes: number;
  /** ours / helm from wall and CPU times (ours: the median of the TypeScript `ours` at this size). */
  oursToHelm: number;
  oursToHelmCpu: number;
}

export interface Target {
  name: string;
  /** The judged figure. */
  value: number;
  /** The other figure, printed beside (wall when judged on CPU, CPU when judged on wall). */
  other?: number;
  judgedOn: 'wall' | 'cpu' | 'bytes' | 'same';
  limit: number;
  pass: boolean;
}

export type Growth = { from: number; to: number; sizeRatio: number; timeRatio: number; cpuRatio: number }[];

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Medians and extremes of repetitions of one variant; throws when two repetitions wrote different YAML. */
export function summarize(samples: TimedSample[], what = 'variant'): VariantResult {
  if (samples.length === 0) throw new Error(`${what}: no sample`);
  const ms = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs);
  const rss = samples.map((s) => s.peakRssBytes);
  const first = samples[0];
  for (const s of samples) {
    if (s.sha256 !== first.sha256) throw new Error(`${what}: the YAML differs between repetitions (not deterministic)`);
  }
  return {
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    samplesMs: ms.map((x) => Math.round(x * 10) / 10),
    medianCpuMs: median(cpu),
    samplesCpuMs: cpu.map((x) => Math.round(x * 10) / 10),
    medianPeakRssBytes: median(rss),
    maxPeakRssBytes: Math.max(...rss),
    objects: first.objects,
    bytes: first.bytes,
    sha256: first.sha256,
    contentSha256: samples.find((s) => s.contentSha256)?.contentSha256,
    ...(samples.every((s) => s.buildMs !== undefined) ? {
      medianBuildMs: median(samples.map((s) => s.buildMs!)),
      medianBuildCpuMs: median(samples.map((s) => s.buildCpuMs ?? NaN)),
    } : {}),
  };
}

/** Median time of each size over that of the previous size, per variant that ran at every size. */
export function growthOf(results: { n: number }[], pick: (i: number) => { medianMs: number; medianCpuMs: number } | undefined): Growth {
  const out: Growth = [];
  for (let i = 1; i < results.length; i++) {
    const a = pick(i - 1);
    const b = pick(i);
    if (!a || !b) continue;
    out.push({
      from: results[i - 1].n,
      to: results[i].n,
      sizeRatio: results[i].n / results[i - 1].n,
      timeRatio: b.medianMs / a.medianMs,
      cpuRatio: b.medianCpuMs / a.medianCpuMs,
    });
  }
  return out;
}

/** Whether every variant that ran wrote the same output as ours (and Python the same bytes). */
export function sameOutput(r: SizeResult, python?: PythonSizeResult): boolean {
  const fleet = !r.variants.baseline || (r.identical.objects && r.identical.bytes && r.identical.content && r.identical.floorBytesEqual);
  const others = [r.variants.oursApp, r.variants.oursFiles, r.variants.oursFilesPerService].every((v) => !v || v.sha256 === r.variants.ours.sha256);
  const py = !python || (python.sameBytesAsTypeScript && Object.values(python.alternatives ?? {}).every((a) => a.sameBytesAsTypeScript));
  return fleet && others && py;
}

/** The issue's targets that this run's sizes and parts can judge. */
export function computeTargets(results: SizeResult[], python: PythonSizeResult[] = [], t = TARGETS): Target[] {
  const targets: Target[] = [];
  const at = (n: number) => results.find((r) => r.n === n);
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const n of t.oursToBaselineAt) {
    const r = at(n);
    if (!r?.cpuRatios || !r.ratios) continue;
    targets.push({
      name: `ours/raw cdk8s at N=${fmt(n)}`,
      value: r.cpuRatios.oursToBaseline,
      other: r.ratios.oursToBaseline,
      judgedOn: 'cpu',
      limit: t.oursToBaselineCpuMax,
      pass: r.cpuRatios.oursToBaseline <= t.oursToBaselineCpuMax,
    });
  }
  for (const n of t.oursToFloorAt) {
    const r = at(n);
    if (!r?.cpuRatios || !r.ratios) continue;
    targets.push({
      name: `ours/floor at N=${fmt(n)}`,
      value: r.cpuRatios.oursToFloor,
      other: r.ratios.oursToFloor,
      judgedOn: 'cpu',
      limit: t.oursToFloorCpuMax,
      pass: r.cpuRatios.oursToFloor <= t.oursToFloorCpuMax,
    });
  }
  const atRss = at(t.rssAt);
  if (atRss) {
    const rss = atRss.variants.ours.maxPeakRssBytes;
    targets.push({ name: `peak RSS of ours at N=${fmt(t.rssAt)}`, value: rss, judgedOn: 'bytes', limit: t.rssMaxBytes, pass: rss <= t.rssMaxBytes });
  }
  const from = at(t.growthFrom);
  const to = at(t.growthTo);
  if (from && to) {
    const ratio = to.variants.ours.medianMs / from.variants.ours.medianMs;
    targets.push({
      name: `ours t(${fmt(t.growthTo)})/t(${fmt(t.growthFrom)})`,
      value: ratio,
      other: to.variants.ours.medianCpuMs / from.variants.ours.medianCpuMs,
      judgedOn: 'wall',
      limit: t.growthMax,
      pass: ratio <= t.growthMax,
    });
  }
  const py = python.find((p) => p.n === t.pythonAt);
  if (py) {
    targets.push({
      name: `Python/TypeScript at N=${fmt(t.pythonAt)}`,
      value: py.ratio,
      other: py.cpuRatio,
      judgedOn: 'wall',
      limit: t.pythonMax,
      pass: py.ratio <= t.pythonMax,
    });
  }
  for (const r of results) {
    const p = python.find((x) => x.n === r.n);
    const same = sameOutput(r, p);
    const parts = [r.variants.oursApp ? 'ours in cdk8s App' : '', r.variants.baseline ? 'baseline, floor' : '', r.variants.oursFiles ? 'ours to files' : '',
      p ? 'Python' : ''].filter(Boolean).join(', ');
    if (!parts) continue;
    targets.push({ name: `same output at N=${fmt(r.n)} (ours vs ${parts})`, value: same ? 1 : 0, judgedOn: 'same', limit: 1, pass: same });
  }
  return targets;
}

const MB = 1024 * 1024;
export const fmtMs = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
export const fmtMb = (b: number) => `${(b / MB).toFixed(0)} MB`;
export const fmtN = (n: number) => n.toLocaleString('en-US');

/** One line per target: PASS/FAIL, the judged figure, the limit and the other figure. */
export function formatTarget(t: Target): string {
  const status = t.pass ? 'PASS' : 'FAIL';
  if (t.judgedOn === 'same') return `  ${status}  ${t.name}: ${t.pass ? 'yes' : 'NO'}`;
  if (t.judgedOn === 'bytes') return `  ${status}  ${t.name}: ${fmtMb(t.value)} (limit ${fmtMb(t.limit)})`;
  const other = t.other === undefined ? '' : `; from ${t.judgedOn === 'cpu' ? 'wall' : 'CPU'} times ${t.other.toFixed(2)}`;
  return `  ${status}  ${t.name}: ${t.value.toFixed(2)} from ${t.judgedOn === 'cpu' ? 'CPU' : 'wall'} times (limit ${t.limit}${other})`;
}

/** A text table: first row is the header, first column left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

/** Counts YAML documents the way worker.ts does: Yaml.stringify joins documents with a '---' line. */
export function countDocuments(yaml: string): number {
  return yaml.length === 0 ? 0 : yaml.split(/^---\n/m).length;
}

/** Object kinds in a stream of YAML documents (top-level `kind:` lines), counted. */
export function kindsOf(yaml: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of yaml.matchAll(/^kind: *["']?([A-Za-z0-9]+)["']?\s*$/gm)) out[m[1]] = (out[m[1]] ?? 0) + 1;
  return out;
}

/** The result file (bench/results/*.json). */
export interface BenchResult {
  schema: string;
  date: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryBytes: number; loadAvgStart: number[]; loadAvgEnd: number[] };
  git?: { commit: string; dirty: boolean };
  config: { sizes: number[]; reps: number; helmReps: number; coldReps: number; parts: Part[]; servicesPerTenant: number; servicesPerPool: number };
  results: SizeResult[];
  /** Per variant: the median time of each size divided by that of the previous size (and the size ratio). */
  growth: Partial<Record<Measured | 'python', Growth>>;
  python?: { results: PythonSizeResult[]; error?: string };
  helm?: {
    version: string;
    mode: string;
    chart: string;
    results: HelmSizeResult[];
    kinds: { helmRelease: Record<string, number>; ourService: Record<string, number> };
    error?: string;
  };
  cold?: { results: ColdResult[]; problems: string[]; error?: string };
  /** The issue's targets (bench/report.ts TARGETS). */
  targets: Target[];
}
