/**
 * Fleet-scale synth benchmark. Run from the repository root:
 *
 *   npx ts-node --project bench/tsconfig.json bench/run.ts [--sizes 100,1000,3000] [--reps 5] [--compare FILE] [--out FILE] [--strict]
 *
 * Transpiles src/ and bench/ to bench/results/build/ (no type check), then for every fleet size N: one capture
 * process (our fleet synthesized once, its manifests saved for the baseline and the floor), then `reps` rounds of
 * three fresh processes each, ours / baseline / floor in turn, so load from other work on the machine falls on all
 * three alike. Prints medians, ratios and growth, writes a JSON result (bench/results/bench-<time>.json and
 * bench/results/latest.json) and, with --compare, the change against an earlier result file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Sample } from './worker';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, 'build');
const VARIANTS = ['ours', 'baseline', 'floor'] as const;
type Measured = typeof VARIANTS[number];

/** Result-file format version; bump when fields change meaning. */
const SCHEMA = 'cdk8s-ai-bench/1';

/** The issue's targets (issue 11), checked on the medians of this run. */
const TARGETS = {
  oursToBaselineAt: 1000,
  oursToBaselineMax: 1.3,
  oursToFloorMax: 2.5,
  rssAt: 3000,
  rssMaxBytes: 1024 ** 3,
  growthFrom: 1000,
  growthTo: 3000,
  growthMax: 3.3,
};

interface Options {
  sizes: number[];
  reps: number;
  compare?: string;
  out?: string;
  /** Exit 1 when a timing or memory target fails (a different output always fails the run). */
  strict: boolean;
}

interface VariantResult {
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
}

interface SizeResult {
  n: number;
  objects: number;
  bytes: number;
  /** Baseline and floor write the same number of objects and bytes as ours, and the same documents. */
  identical: { objects: boolean; bytes: boolean; content: boolean; floorBytesEqual: boolean };
  variants: Record<Measured, VariantResult>;
  /** Ratios of the median wall times. */
  ratios: { oursToBaseline: number; oursToFloor: number; baselineToFloor: number };
  /** Ratios of the median CPU times. */
  cpuRatios: { oursToBaseline: number; oursToFloor: number; baselineToFloor: number };
}

interface BenchResult {
  schema: string;
  date: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryBytes: number; loadAvgStart: number[]; loadAvgEnd: number[] };
  git?: { commit: string; dirty: boolean };
  config: { sizes: number[]; reps: number; servicesPerTenant: number; servicesPerPool: number };
  results: SizeResult[];
  /** Per variant: the median time of each size divided by that of the previous size (and the size ratio). */
  growth: Record<Measured, { from: number; to: number; sizeRatio: number; timeRatio: number; cpuRatio: number }[]>;
  /** The issue's targets, judged on the median wall times; `cpuValue` is the same figure from the median CPU times. */
  targets: { name: string; value: number; cpuValue?: number; limit: number; pass: boolean }[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [100, 1000, 3000], reps: 5, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--sizes':
        o.sizes = next().split(',').map((s) => Number(s.replace(/_/g, '')));
        break;
      case '--reps':
        o.reps = Number(next());
        break;
      case '--compare':
        o.compare = next();
        break;
      case '--out':
        o.out = next();
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--help':
      case '-h':
        console.log('usage: bench/run.ts [--sizes 100,1000,3000] [--reps 5] [--compare FILE] [--out FILE] [--strict]');
        process.exit(0);
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.sizes.length || o.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes: positive integers');
  if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps: a positive integer');
  o.sizes = [...new Set(o.sizes)].sort((a, b) => a - b);
  return o;
}

/** Transpiles src/**.ts and bench/*.ts to CommonJS under bench/results/build (only files newer than their output). */
function transpile(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const ts = require('typescript') as typeof import('typescript');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir)) {
      const full = path.join(dir, entry);
      const stat = fs.statSync(full); // follows the src/imports symlink
      if (stat.isDirectory()) walk(full);
      else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) files.push(full);
    }
  };
  walk(path.join(ROOT, 'src'));
  for (const f of fs.readdirSync(path.join(ROOT, 'bench'))) if (f.endsWith('.ts')) files.push(path.join(ROOT, 'bench', f));
  // Drop outputs whose source is gone (files move while others edit the tree).
  const wanted = new Set(files.map((f) => path.join(BUILD, path.relative(ROOT, f)).replace(/\.ts$/, '.js')));
  const prune = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (fs.statSync(full).isDirectory()) prune(full);
      else if (!wanted.has(full)) fs.rmSync(full);
    }
  };
  prune(BUILD);
  let count = 0;
  for (const file of files) {
    const out = path.join(BUILD, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(file).mtimeMs) continue;
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
        resolveJsonModule: true,
      },
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
    count++;
  }
  if (count) console.log(`transpiled ${count} file(s) to ${path.relative(ROOT, BUILD)}/`);
}

function runWorker(variant: string, n: number, manifests: string, check: boolean): Sample {
  const worker = path.join(BUILD, 'bench', 'worker.js');
  const args = [worker, variant, String(n), manifests, ...(check ? ['check'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${variant} N=${n} failed (exit ${r.status}):\n${r.stderr.slice(0, 4000)}`);
  const warnings = r.stderr.trim();
  if (warnings && variant === 'capture') {
    // The fleet must synth clean: a warning means the benchmark no longer builds what a careful user would.
    const lines = warnings.split('\n');
    console.warn(`\n  warning: the fleet synth wrote ${lines.length} line(s) to stderr, e.g.:\n    ${lines.slice(0, 3).map((l) => l.slice(0, 300)).join('\n    ')}`);
  }
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Sample;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summarize(samples: Sample[]): VariantResult {
  const ms = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs);
  const rss = samples.map((s) => s.peakRssBytes);
  const first = samples[0];
  for (const s of samples) {
    if (s.sha256 !== first.sha256) throw new Error(`${s.variant} N=${s.n}: the YAML differs between repetitions (not deterministic)`);
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
    contentSha256: first.contentSha256,
  };
}

function gitInfo(): { commit: string; dirty: boolean } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src', 'bench').length > 0;
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

const MB = 1024 * 1024;
const fmtMs = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (b: number) => `${(b / MB).toFixed(0)} MB`;
const fmtN = (n: number) => n.toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

function report(result: BenchResult): void {
  console.log(`\nfleet synth, ${result.config.reps} repetition(s) per variant, median wall time (fresh process each; ` +
    `load avg ${result.machine.loadAvgStart.map((x) => x.toFixed(1)).join(' ')} -> ${result.machine.loadAvgEnd.map((x) => x.toFixed(1)).join(' ')}, ` +
    `${result.machine.cpus} CPUs)\n`);
  const rows = [['N', 'objects', 'YAML bytes', 'ours', 'baseline', 'floor', 'ours/base', 'ours/floor', 'cpu o/b', 'cpu o/f', 'RSS ours', 'RSS base', 'RSS floor', 'same output']];
  for (const r of result.results) {
    const v = r.variants;
    const same = r.identical.objects && r.identical.bytes && r.identical.content && r.identical.floorBytesEqual;
    rows.push([fmtN(r.n), fmtN(r.objects), fmtN(r.bytes), fmtMs(v.ours.medianMs), fmtMs(v.baseline.medianMs), fmtMs(v.floor.medianMs),
      r.ratios.oursToBaseline.toFixed(2), r.ratios.oursToFloor.toFixed(2), r.cpuRatios.oursToBaseline.toFixed(2), r.cpuRatios.oursToFloor.toFixed(2),
      fmtMb(v.ours.maxPeakRssBytes), fmtMb(v.baseline.maxPeakRssBytes), fmtMb(v.floor.maxPeakRssBytes), same ? 'yes' : 'NO']);
  }
  console.log(table(rows));
  console.log('\n(ours: our constructs + app.synthYaml(); baseline: the same manifests as plain ApiObjects in a bare chart + ' +
    'app.synthYaml(); floor: Yaml.stringify of the manifests. Times: median wall time; ratios of median wall times, ' +
    '"cpu" ratios of median CPU times. RSS: highest peak of any repetition, whole process.)');
  console.log('\ngrowth of the median time (linear: time ratio = size ratio)');
  const g = [['variant', ...result.growth.ours.map((x) => `t(${fmtN(x.to)})/t(${fmtN(x.from)})`), ...result.growth.ours.map(() => 'cpu'),
    ...result.results.map((r) => `ms/svc @${fmtN(r.n)}`)]];
  for (const variant of VARIANTS) {
    g.push([variant, ...result.growth[variant].map((x) => `${x.timeRatio.toFixed(2)} (x${x.sizeRatio.toFixed(1)})`),
      ...result.growth[variant].map((x) => x.cpuRatio.toFixed(2)),
      ...result.results.map((r) => (r.variants[variant].medianMs / r.n).toFixed(2))]);
  }
  console.log(table(g));
  console.log('\ntargets (issue 11)');
  for (const t of result.targets) {
    const rss = t.name.includes('RSS');
    const same = t.name.startsWith('same output');
    const value = rss ? fmtMb(t.value) : same ? (t.pass ? 'yes' : 'no') : t.value.toFixed(2);
    const cpu = t.cpuValue !== undefined ? `; from CPU times ${t.cpuValue.toFixed(2)}` : '';
    console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${value}${same ? '' : ` (limit ${rss ? fmtMb(t.limit) : t.limit}${cpu})`}`);
  }
}

function compare(result: BenchResult, file: string): void {
  const before = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;
  if (before.schema !== SCHEMA) console.log(`\nnote: ${file} has schema ${before.schema}, this run ${SCHEMA}`);
  console.log(`\ncompared with ${path.relative(process.cwd(), file)} (${before.date}${before.git ? `, ${before.git.commit.slice(0, 10)}${before.git.dirty ? '+dirty' : ''}` : ''})`);
  const pct = (now: number, then: number) => `${now >= then ? '+' : ''}${((now / then - 1) * 100).toFixed(1)}%`;
  const rows = [['N', 'ours then', 'ours now', 'change', 'ours/base then', 'now', 'ours/floor then', 'now', 'RSS then', 'RSS now', 'same objects']];
  for (const r of result.results) {
    const b = before.results.find((x) => x.n === r.n);
    if (!b) continue;
    rows.push([fmtN(r.n), fmtMs(b.variants.ours.medianMs), fmtMs(r.variants.ours.medianMs), pct(r.variants.ours.medianMs, b.variants.ours.medianMs),
      b.ratios.oursToBaseline.toFixed(2), r.ratios.oursToBaseline.toFixed(2), b.ratios.oursToFloor.toFixed(2), r.ratios.oursToFloor.toFixed(2),
      fmtMb(b.variants.ours.maxPeakRssBytes), fmtMb(r.variants.ours.maxPeakRssBytes),
      b.objects === r.objects && b.bytes === r.bytes ? (b.variants.ours.sha256 === r.variants.ours.sha256 ? 'yes, same bytes' : 'same counts') : 'NO (fleet changed)']);
  }
  if (rows.length === 1) console.log('  no fleet size in common');
  else console.log(table(rows));
  console.log('(times from different runs differ with machine load; the ratios, measured within each run, compare better)');
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(RESULTS, { recursive: true });
  transpile();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fleet = require(path.join(BUILD, 'bench', 'fleet.js')) as typeof import('./fleet');
  const loadAvgStart = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-bench-'));
  const results: SizeResult[] = [];
  try {
    for (const n of options.sizes) {
      const manifests = path.join(tmp, `fleet-${n}.json`);
      process.stdout.write(`N=${fmtN(n)}: capture`);
      const captured = runWorker('capture', n, manifests, false);
      process.stdout.write(` (${fmtN(captured.objects)} objects, ${fmtN(captured.bytes)} bytes)`);
      const samples: Record<Measured, Sample[]> = { ours: [], baseline: [], floor: [] };
      for (let rep = 0; rep < options.reps; rep++) {
        for (const variant of VARIANTS) samples[variant].push(runWorker(variant, n, manifests, rep === 0));
        process.stdout.write(` ${rep + 1}`);
      }
      process.stdout.write('\n');
      fs.rmSync(manifests, { force: true });
      const variants = { ours: summarize(samples.ours), baseline: summarize(samples.baseline), floor: summarize(samples.floor) };
      const { ours, baseline, floor } = variants;
      if (ours.sha256 !== captured.sha256) throw new Error(`N=${n}: the captured manifests do not stringify to the YAML ours writes`);
      results.push({
        n,
        objects: ours.objects,
        bytes: ours.bytes,
        identical: {
          objects: baseline.objects === ours.objects && floor.objects === ours.objects,
          bytes: baseline.bytes === ours.bytes && floor.bytes === ours.bytes,
          content: baseline.contentSha256 === ours.contentSha256 && floor.contentSha256 === ours.contentSha256,
          floorBytesEqual: floor.sha256 === ours.sha256,
        },
        variants,
        ratios: {
          oursToBaseline: ours.medianMs / baseline.medianMs,
          oursToFloor: ours.medianMs / floor.medianMs,
          baselineToFloor: baseline.medianMs / floor.medianMs,
        },
        cpuRatios: {
          oursToBaseline: ours.medianCpuMs / baseline.medianCpuMs,
          oursToFloor: ours.medianCpuMs / floor.medianCpuMs,
          baselineToFloor: baseline.medianCpuMs / floor.medianCpuMs,
        },
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const growth = {} as BenchResult['growth'];
  for (const variant of VARIANTS) {
    growth[variant] = results.slice(1).map((r, i) => ({
      from: results[i].n,
      to: r.n,
      sizeRatio: r.n / results[i].n,
      timeRatio: r.variants[variant].medianMs / results[i].variants[variant].medianMs,
      cpuRatio: r.variants[variant].medianCpuMs / results[i].variants[variant].medianCpuMs,
    }));
  }
  const targets: BenchResult['targets'] = [];
  const at = (n: number) => results.find((r) => r.n === n);
  const t = TARGETS;
  const atBase = at(t.oursToBaselineAt);
  if (atBase) {
    targets.push({
      name: `ours/baseline at N=${fmtN(t.oursToBaselineAt)}`,
      value: atBase.ratios.oursToBaseline,
      cpuValue: atBase.cpuRatios.oursToBaseline,
      limit: t.oursToBaselineMax,
      pass: atBase.ratios.oursToBaseline <= t.oursToBaselineMax,
    });
  }
  for (const r of results) {
    targets.push({
      name: `ours/floor at N=${fmtN(r.n)}`,
      value: r.ratios.oursToFloor,
      cpuValue: r.cpuRatios.oursToFloor,
      limit: t.oursToFloorMax,
      pass: r.ratios.oursToFloor <= t.oursToFloorMax,
    });
  }
  const atRss = at(t.rssAt);
  if (atRss) {
    targets.push({
      name: `peak RSS of ours at N=${fmtN(t.rssAt)}`,
      value: atRss.variants.ours.maxPeakRssBytes,
      limit: t.rssMaxBytes,
      pass: atRss.variants.ours.maxPeakRssBytes <= t.rssMaxBytes,
    });
  }
  const from = at(t.growthFrom);
  const to = at(t.growthTo);
  if (from && to) {
    const ratio = to.variants.ours.medianMs / from.variants.ours.medianMs;
    targets.push({
      name: `ours t(${fmtN(t.growthTo)})/t(${fmtN(t.growthFrom)})`,
      value: ratio,
      cpuValue: to.variants.ours.medianCpuMs / from.variants.ours.medianCpuMs,
      limit: t.growthMax,
      pass: ratio <= t.growthMax,
    });
  }
  for (const r of results) {
    const same = r.identical.objects && r.identical.bytes && r.identical.content && r.identical.floorBytesEqual;
    targets.push({ name: `same output at N=${fmtN(r.n)} (objects, bytes, documents)`, value: same ? 1 : 0, limit: 1, pass: same });
  }

  const result: BenchResult = {
    schema: SCHEMA,
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryBytes: os.totalmem(),
      loadAvgStart,
      loadAvgEnd: os.loadavg(),
    },
    git: gitInfo(),
    config: { sizes: options.sizes, reps: options.reps, servicesPerTenant: fleet.SERVICES_PER_TENANT, servicesPerPool: fleet.SERVICES_PER_POOL },
    results,
    growth,
    targets,
  };
  report(result);
  const previous = path.join(RESULTS, 'latest.json');
  const compareWith = options.compare ? path.resolve(options.compare) : undefined;
  if (compareWith) compare(result, compareWith);
  const out = options.out ? path.resolve(options.out) : path.join(RESULTS, `bench-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, undefined, 2)}\n`);
  fs.writeFileSync(previous, `${JSON.stringify(result, undefined, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)} and ${path.relative(process.cwd(), previous)}` +
    `${compareWith ? '' : `; compare a later run with --compare ${path.relative(process.cwd(), out)}`}`);
  const failed = targets.filter((x) => !x.pass);
  if (failed.some((x) => x.name.startsWith('same output')) || (options.strict && failed.length)) process.exitCode = 1;
}

main();
