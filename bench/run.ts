/**
 * Fleet-scale synth benchmark (`npx projen bench [options]`, bench/README.md). Run from the repository root.
 *
 * Parts (all by default; name one or more to run only those):
 *   --fleet   ours / baseline (raw cdk8s) / floor (YAML stringify), fresh Node.js process each
 *   --python  the same fleet from Python through the built wheel (bench/python/), against TypeScript `ours`
 *   --helm    `helm template` of the llm-d-router gateway chart, one release per model, against `ours`
 *   --cold    time to first YAML: the example platform from a cold process, TypeScript and Python, beside helm
 *
 * Transpiles src/ and bench/ to bench/results/build/ (no type check), then for every fleet size N: one capture
 * process (our fleet synthesized once, its manifests saved for the baseline and the floor), then `reps` rounds of
 * fresh processes (ours, baseline, floor, python), so load from other work on the machine falls on all alike. Prints
 * medians, ratios, growth and the targets of issue 22, writes a JSON result (bench/results/bench-<time>.json and
 * bench/results/latest.json) and, with --compare, the change against an earlier result file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ColdResult } from './cold';
import type { HelmRender } from './helm';
import type { PythonSample } from './python';
import {
  computeTargets, fmtMb, fmtMs, fmtN, formatTarget, Growth, growthOf, HelmSizeResult, Measured, PythonSizeResult,
  sameOutput, SizeResult, summarize, table, Target, VARIANTS,
} from './report';
import type { Sample } from './worker';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, 'build');
const PARTS = ['fleet', 'python', 'helm', 'cold'] as const;
type Part = typeof PARTS[number];

/** Result-file format version; bump when fields change meaning. */
const SCHEMA = 'cdk8s-ai-bench/2';

interface Options {
  sizes: number[];
  reps: number;
  helmReps: number;
  coldReps: number;
  parts: Set<Part>;
  compare?: string;
  out?: string;
  /** Exit 1 when a timing or memory target fails (a different output always fails the run). */
  strict: boolean;
}

interface BenchResult {
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

const USAGE = 'usage: bench/run.ts [--fleet] [--python] [--helm] [--cold] [--sizes 100,1000,3000] [--reps 3] [--helm-reps 1] ' +
  '[--cold-reps 3] [--compare FILE] [--out FILE] [--strict]';

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [100, 1000, 3000], reps: 3, helmReps: 1, coldReps: 3, parts: new Set(), strict: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const part = PARTS.find((p) => a === `--${p}`);
    if (part) {
      o.parts.add(part);
      continue;
    }
    switch (a) {
      case '--sizes':
        o.sizes = next().split(',').map((s) => Number(s.replace(/_/g, '')));
        break;
      case '--reps':
        o.reps = Number(next());
        break;
      case '--helm-reps':
        o.helmReps = Number(next());
        break;
      case '--cold-reps':
        o.coldReps = Number(next());
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
        console.log(USAGE);
        process.exit(0);
      default:
        throw new Error(`unknown argument ${a}\n${USAGE}`);
    }
  }
  if (o.parts.size === 0) for (const p of PARTS) o.parts.add(p);
  if (!o.sizes.length || o.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes: positive integers');
  for (const [name, v] of [['--reps', o.reps], ['--helm-reps', o.helmReps], ['--cold-reps', o.coldReps]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: a positive integer`);
  }
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

const loadAvg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

function report(result: BenchResult): void {
  const fleetRan = result.config.parts.includes('fleet');
  console.log(`\nfleet synth, ${result.config.reps} repetition(s) per variant, median wall time (fresh process each; ` +
    `load avg ${result.machine.loadAvgStart.map((x) => x.toFixed(1)).join(' ')} -> ${result.machine.loadAvgEnd.map((x) => x.toFixed(1)).join(' ')}, ` +
    `${result.machine.cpus} CPUs)\n`);
  if (fleetRan) {
    const rows = [['N', 'objects', 'YAML bytes', 'ours', 'raw cdk8s', 'floor', 'ours/raw', 'ours/floor', 'cpu o/r', 'cpu o/f', 'RSS ours', 'RSS raw', 'RSS floor', 'same output']];
    for (const r of result.results) {
      const v = r.variants;
      rows.push([fmtN(r.n), fmtN(r.objects), fmtN(r.bytes), fmtMs(v.ours.medianMs), fmtMs(v.baseline!.medianMs), fmtMs(v.floor!.medianMs),
        r.ratios!.oursToBaseline.toFixed(2), r.ratios!.oursToFloor.toFixed(2),
        r.cpuRatios!.oursToBaseline.toFixed(2), r.cpuRatios!.oursToFloor.toFixed(2),
        fmtMb(v.ours.maxPeakRssBytes), fmtMb(v.baseline!.maxPeakRssBytes), fmtMb(v.floor!.maxPeakRssBytes), sameOutput(r) ? 'yes' : 'NO']);
    }
    console.log(table(rows));
    console.log('\n(ours: our constructs + app.synthYaml(); raw cdk8s (the baseline): the same manifests as plain ApiObjects in a bare ' +
      'chart + app.synthYaml(); floor: Yaml.stringify of the manifests. Times: median wall time; ratios of median wall times, ' +
      '"cpu" ratios of median CPU times. RSS: highest peak of any repetition, whole process.)');
  } else if (result.results.length) {
    console.log(table([['N', 'objects', 'YAML bytes', 'ours', 'ours CPU', 'RSS ours'],
      ...result.results.map((r) => [fmtN(r.n), fmtN(r.objects), fmtN(r.bytes), fmtMs(r.variants.ours.medianMs),
        fmtMs(r.variants.ours.medianCpuMs), fmtMb(r.variants.ours.maxPeakRssBytes)])]));
  }
  const grown = (Object.keys(result.growth) as (Measured | 'python')[]).filter((k) => result.growth[k]!.length);
  if (grown.length) {
    console.log('\ngrowth of the median time (linear: time ratio = size ratio)');
    const first = result.growth[grown[0]]!;
    const g = [['variant', ...first.map((x) => `t(${fmtN(x.to)})/t(${fmtN(x.from)})`), ...first.map(() => 'cpu'), ...result.results.map((r) => `ms/svc @${fmtN(r.n)}`)]];
    for (const variant of grown) {
      const perService = result.results.map((r) => {
        const v = variant === 'python' ? result.python?.results.find((p) => p.n === r.n)?.fleet : r.variants[variant];
        return v ? (v.medianMs / r.n).toFixed(2) : '-';
      });
      g.push([variant, ...result.growth[variant]!.map((x) => `${x.timeRatio.toFixed(2)} (x${x.sizeRatio.toFixed(1)})`),
        ...result.growth[variant]!.map((x) => x.cpuRatio.toFixed(2)), ...perService]);
    }
    console.log(table(g));
  }
  if (result.python) reportPython(result);
  if (result.helm) reportHelm(result);
  if (result.cold) reportCold(result);
  console.log('\ntargets (issue 22)');
  if (!result.targets.length) console.log('  none judged by this run (sizes or parts)');
  for (const t of result.targets) console.log(formatTarget(t));
}

function reportPython(result: BenchResult): void {
  const py = result.python!;
  console.log('\nPython (the same fleet through the wheel, bench/python/fleet.py; timed region: App(), build, synth_yaml())');
  if (py.error) console.log(`  FAILED: ${py.error.split('\n').slice(0, 8).join('\n  ')}`);
  if (!py.results.length) return;
  const rows = [['N', 'TypeScript', 'Python', 'Python/TS', 'cpu P/TS', 'Python CPU', 'runtime CPU', 'start-up', 'start-up CPU', 'process', 'RSS py+runtime', 'same bytes']];
  for (const p of py.results) {
    const ts = result.results.find((r) => r.n === p.n)!.variants.ours;
    rows.push([fmtN(p.n), fmtMs(ts.medianMs), fmtMs(p.fleet.medianMs), p.ratio.toFixed(2), p.cpuRatio.toFixed(2), fmtMs(p.fleet.medianPythonCpuMs),
      fmtMs(p.fleet.medianRuntimeCpuMs), fmtMs(p.startup.medianMs), fmtMs(p.startup.medianCpuMs), fmtMs(p.processMedianMs),
      `${fmtMb(p.fleet.maxPeakRssBytes)}+${fmtMb(p.fleet.maxRuntimePeakRssBytes)}`, p.sameBytesAsTypeScript ? 'yes' : 'NO']);
  }
  console.log(table(rows));
  const starts = py.results.filter((p) => p.startup.phasesMs).map((p) => `N=${fmtN(p.n)}: ${fmtMs(p.startup.phasesMs!.jsii)} + ` +
    `${fmtMs(p.startup.phasesMs!.cdk8s)} + ${fmtMs(p.startup.phasesMs!.cdk8sAi)}` +
    ` (assembly loads in the runtime: ${Object.entries(p.startup.assemblyLoadMs ?? {}).map(([k, v]) => `${k} ${fmtMs(v)}`).join(', ')})`);
  if (starts.length) {
    console.log('start-up split (import jsii + from cdk8s import App, which starts the jsii runtime and loads constructs and cdk8s ' +
      `+ import cdk8s_ai, which loads cdk8s-plus-28 and cdk8s-ai): ${starts.join('; ')}`);
  }
  const phases = [['N', 'TS build', 'TS synth', 'Python build', 'Python synth', 'build P/TS', 'synth P/TS', 'build CPU P/TS', 'synth CPU P/TS']];
  for (const p of py.results) {
    const ts = result.results.find((r) => r.n === p.n)!.variants.ours;
    const f = p.fleet;
    if (ts.medianBuildMs === undefined || f.medianBuildMs === undefined) continue;
    const [tb, ts2, pb, ps] = [ts.medianBuildMs, ts.medianMs - ts.medianBuildMs, f.medianBuildMs, f.medianMs - f.medianBuildMs];
    const [tbc, pbc] = [ts.medianBuildCpuMs!, f.medianBuildCpuMs!];
    const [tsc, psc] = [ts.medianCpuMs - tbc, f.medianCpuMs - pbc];
    phases.push([fmtN(p.n), fmtMs(tb), fmtMs(ts2), fmtMs(pb), fmtMs(ps), (pb / tb).toFixed(2), (ps / ts2).toFixed(2),
      (pbc / tbc).toFixed(2), (psc / tsc).toFixed(2)]);
  }
  if (phases.length > 1) {
    console.log('\nphases of the timed region (build: App() and the constructs; synth: synthYaml() to the string in the caller)');
    console.log(table(phases));
  }
  console.log('(Python/TS: median wall time of the timed region; "cpu": its CPU time in the Python process plus the jsii runtime ' +
    '(Node.js children) over TypeScript\'s. start-up: `import cdk8s, cdk8s_ai` = interpreter modules + jsii runtime start + ' +
    'loading the constructs, cdk8s, cdk8s-plus-28 and cdk8s-ai assemblies, outside the timed region. process: the whole ' +
    'process as the runner saw it.)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { crossingsReport } = require('./python') as typeof import('./python');
  const crossings = crossingsReport(py.results);
  if (crossings) console.log(`\n${crossings}`);
}

function reportHelm(result: BenchResult): void {
  const h = result.helm!;
  console.log(`\nhelm peer: ${h.version}, ${h.chart}; ${h.mode}`);
  if (h.error) console.log(`  FAILED: ${h.error.split('\n').slice(0, 8).join('\n  ')}`);
  if (h.results.length) {
    const rows = [['N', 'releases', 'helm objects', 'helm bytes', 'helm wall', 'helm CPU', 'helm RSS (1 proc)', 'ours objects', 'ours', 'ours CPU', 'ours/helm', 'cpu o/h']];
    for (const x of h.results) {
      const ours = result.results.find((r) => r.n === x.n)!;
      rows.push([fmtN(x.n), fmtN(x.releases), fmtN(x.objects), fmtN(x.bytes), fmtMs(x.wallMs), fmtMs(x.cpuMs), fmtMb(x.maxRssBytes),
        fmtN(ours.objects), fmtMs(ours.variants.ours.medianMs), fmtMs(ours.variants.ours.medianCpuMs),
        x.oursToHelm.toFixed(2), x.oursToHelmCpu.toFixed(2)]);
    }
    console.log(table(rows));
  }
  const kinds = [...new Set([...Object.keys(h.kinds.helmRelease), ...Object.keys(h.kinds.ourService)])].sort();
  if (kinds.length) {
    console.log('\nobject kinds: one helm release vs one of our services (its share of the fleet, without tenant and platform objects)');
    console.log(table([['kind', 'helm release', 'our service'], ...kinds.map((k) => [k, String(h.kinds.helmRelease[k] ?? '-'), String(h.kinds.ourService[k] ?? '-')]),
      ['total', String(Object.values(h.kinds.helmRelease).reduce((a, b) => a + b, 0)), String(Object.values(h.kinds.ourService).reduce((a, b) => a + b, 0))]]));
  }
}

function reportCold(result: BenchResult): void {
  const c = result.cold!;
  console.log(`\ntime to first YAML: the example platform from a cold process, ${result.config.coldReps} repetition(s), median`);
  if (c.error) console.log(`  FAILED: ${c.error.split('\n').slice(0, 8).join('\n  ')}`);
  if (c.results.length) {
    console.log(table([['command', 'wall', 'CPU', 'peak RSS (1 proc)', 'files', 'objects', 'bytes'],
      ...c.results.map((x) => [x.name, fmtMs(x.wallMs), fmtMs(x.cpuMs), fmtMb(x.maxRssBytes), String(x.files), fmtN(x.objects), fmtN(x.bytes)])]));
    console.log('(helm renders only the routing of the example\'s two InferencePools: its endpoint pickers, pools and one HTTPRoute, ' +
      'not the weighted split, the model servers, tenants, training, evals or policies.)');
  }
  if (c.problems.length) console.log(`  the outputs differ from the TypeScript cdk8s synth:\n  ${c.problems.join('\n  ')}`);
  else if (c.results.length) console.log('TypeScript and Python write byte-identical files.');
}

function compare(result: BenchResult, file: string): void {
  const before = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;
  if (before.schema !== SCHEMA) console.log(`\nnote: ${file} has schema ${before.schema}, this run ${SCHEMA}`);
  console.log(`\ncompared with ${path.relative(process.cwd(), file)} (${before.date}${before.git ? `, ${before.git.commit.slice(0, 10)}${before.git.dirty ? '+dirty' : ''}` : ''})`);
  const pct = (now: number, then: number) => `${now >= then ? '+' : ''}${((now / then - 1) * 100).toFixed(1)}%`;
  const ratio = (x?: number) => (x === undefined ? '-' : x.toFixed(2));
  const rows = [['N', 'ours then', 'ours now', 'change', 'cpu o/raw then', 'now', 'cpu o/floor then', 'now', 'RSS then', 'RSS now', 'same objects']];
  for (const r of result.results) {
    const b = before.results.find((x) => x.n === r.n);
    if (!b) continue;
    rows.push([fmtN(r.n), fmtMs(b.variants.ours.medianMs), fmtMs(r.variants.ours.medianMs), pct(r.variants.ours.medianMs, b.variants.ours.medianMs),
      ratio(b.cpuRatios?.oursToBaseline), ratio(r.cpuRatios?.oursToBaseline), ratio(b.cpuRatios?.oursToFloor), ratio(r.cpuRatios?.oursToFloor),
      fmtMb(b.variants.ours.maxPeakRssBytes), fmtMb(r.variants.ours.maxPeakRssBytes),
      b.objects === r.objects && b.bytes === r.bytes ? (b.variants.ours.sha256 === r.variants.ours.sha256 ? 'yes, same bytes' : 'same counts') : 'NO (fleet changed)']);
  }
  if (rows.length === 1) console.log('  no fleet size in common');
  else console.log(table(rows));
  console.log('(times from different runs differ with machine load; the ratios, measured within each run, compare better)');
}

/** The fleet sizes: capture (fleet part), then rounds of ours / baseline / floor / python. */
function runSizes(options: Options, venvPython: string | undefined, tmp: string, pythonError: { error?: string }):
{ results: SizeResult[]; python: PythonSizeResult[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const py = require('./python') as typeof import('./python');
  const fleetPart = options.parts.has('fleet');
  const results: SizeResult[] = [];
  const python: PythonSizeResult[] = [];
  const variants: Measured[] = fleetPart ? [...VARIANTS] : ['ours'];
  for (const n of options.sizes) {
    const manifests = path.join(tmp, `fleet-${n}.json`);
    process.stdout.write(`N=${fmtN(n)}:`);
    let captured: Sample | undefined;
    if (fleetPart) {
      captured = runWorker('capture', n, manifests, false);
      process.stdout.write(` capture (${fmtN(captured.objects)} objects, ${fmtN(captured.bytes)} bytes)`);
    }
    const samples: Record<Measured, Sample[]> = { ours: [], baseline: [], floor: [] };
    const pySamples: PythonSample[] = [];
    for (let rep = 0; rep < options.reps; rep++) {
      for (const variant of variants) samples[variant].push(runWorker(variant, n, manifests, rep === 0));
      if (venvPython && !pythonError.error) {
        try {
          pySamples.push(py.runPythonWorker(venvPython, n, rep === 0));
        } catch (e) {
          pythonError.error = (e as Error).message;
          console.log(`\n  python failed: ${pythonError.error.split('\n')[0]}`);
        }
      }
      process.stdout.write(` ${rep + 1}`);
    }
    process.stdout.write(` (load avg ${loadAvg()})\n`);
    fs.rmSync(manifests, { force: true });
    const ours = summarize(samples.ours, `ours N=${n}`);
    if (captured && ours.sha256 !== captured.sha256) throw new Error(`N=${n}: the captured manifests do not stringify to the YAML ours writes`);
    const r: SizeResult = {
      n,
      objects: ours.objects,
      bytes: ours.bytes,
      identical: { objects: true, bytes: true, content: true, floorBytesEqual: true },
      variants: { ours },
    };
    if (fleetPart) {
      const baseline = summarize(samples.baseline, `baseline N=${n}`);
      const floor = summarize(samples.floor, `floor N=${n}`);
      Object.assign(r.variants, { baseline, floor });
      r.identical = {
        objects: baseline.objects === ours.objects && floor.objects === ours.objects,
        bytes: baseline.bytes === ours.bytes && floor.bytes === ours.bytes,
        content: baseline.contentSha256 === ours.contentSha256 && floor.contentSha256 === ours.contentSha256,
        floorBytesEqual: floor.sha256 === ours.sha256,
      };
      r.ratios = {
        oursToBaseline: ours.medianMs / baseline.medianMs,
        oursToFloor: ours.medianMs / floor.medianMs,
        baselineToFloor: baseline.medianMs / floor.medianMs,
      };
      r.cpuRatios = {
        oursToBaseline: ours.medianCpuMs / baseline.medianCpuMs,
        oursToFloor: ours.medianCpuMs / floor.medianCpuMs,
        baselineToFloor: baseline.medianCpuMs / floor.medianCpuMs,
      };
    }
    results.push(r);
    if (pySamples.length === options.reps) python.push(py.summarizePython(n, pySamples, ours));
  }
  return { results, python };
}

function runHelm(options: Options, results: SizeResult[], tmp: string, helmTool: { helm: string; version: string }, chart: string): NonNullable<BenchResult['helm']> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const helm = require('./helm') as typeof import('./helm');
  const out: NonNullable<BenchResult['helm']> = {
    version: helmTool.version,
    mode: 'one `helm template` process per release (one release per model), one after another',
    chart: 'llm-d-router-gateway v0.10.0 (../shared/charts/llm-d-router)',
    results: [],
    kinds: { helmRelease: helm.kindsOfOneRelease(helmTool.helm, chart), ourService: helm.kindsOfOneService(BUILD) },
  };
  for (const r of results) {
    process.stdout.write(`helm N=${fmtN(r.n)}:`);
    const renders: HelmRender[] = [];
    for (let rep = 0; rep < options.helmReps; rep++) {
      renders.push(helm.renderReleases(helmTool.helm, chart, r.n, tmp));
      process.stdout.write(` ${rep + 1}`);
    }
    process.stdout.write(` (load avg ${loadAvg()})\n`);
    const med = (f: (x: HelmRender) => number) => {
      const s = renders.map(f).sort((a, b) => a - b);
      const m = Math.floor(s.length / 2);
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    const wallMs = med((x) => x.wallMs);
    const cpuMs = med((x) => x.cpuMs);
    out.results.push({
      n: r.n,
      releases: r.n,
      wallMs,
      cpuMs,
      maxRssBytes: Math.max(...renders.map((x) => x.maxRssBytes)),
      objects: renders[0].objects,
      bytes: renders[0].bytes,
      oursToHelm: r.variants.ours.medianMs / wallMs,
      oursToHelmCpu: r.variants.ours.medianCpuMs / cpuMs,
    });
  }
  return out;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  fs.mkdirSync(RESULTS, { recursive: true });
  transpile();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fleet = require(path.join(BUILD, 'bench', 'fleet.js')) as typeof import('./fleet');
  const loadAvgStart = os.loadavg();
  console.log(`parts: ${[...options.parts].join(', ')}; sizes ${options.sizes.map(fmtN).join(', ')}; load avg ${loadAvg()}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-bench-'));
  const sized = ['fleet', 'python', 'helm'].some((p) => options.parts.has(p as Part));
  let results: SizeResult[] = [];
  let pythonResults: PythonSizeResult[] = [];
  const pythonState: { error?: string } = {};
  let venvPython: string | undefined;
  let helmTool: { helm: string; version: string } | undefined;
  let chart: string | undefined;
  let helmError: string | undefined;
  let helmResult: BenchResult['helm'];
  let cold: BenchResult['cold'];
  try {
    if (options.parts.has('python') || options.parts.has('cold')) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        venvPython = (require('./python') as typeof import('./python')).preparePython();
      } catch (e) {
        pythonState.error = `building the wheel failed: ${(e as Error).message}`;
        console.log(`python: ${pythonState.error.split('\n')[0]}`);
      }
    }
    if (options.parts.has('helm') || options.parts.has('cold')) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const helm = require('./helm') as typeof import('./helm');
        helmTool = helm.prepareHelm();
        chart = helm.prepareChart(helmTool.helm, tmp);
        console.log(`helm: ${helmTool.version}, chart dependency built in a scratch copy`);
      } catch (e) {
        helmError = (e as Error).message;
        console.log(`helm: ${helmError.split('\n')[0]}`);
      }
    }
    if (sized) {
      const sizedRun = runSizes(options, options.parts.has('python') ? venvPython : undefined, tmp, pythonState);
      results = sizedRun.results;
      pythonResults = sizedRun.python;
    }
    if (options.parts.has('helm')) {
      if (helmTool && chart) {
        try {
          helmResult = runHelm(options, results, tmp, helmTool, chart);
        } catch (e) {
          helmError = (e as Error).message;
        }
      }
      if (helmError) {
        helmResult = { ...(helmResult ?? { version: helmTool?.version ?? '?', mode: '', chart: '', results: [], kinds: { helmRelease: {}, ourService: {} } }), error: helmError };
      }
    }
    if (options.parts.has('cold')) {
      process.stdout.write(`cold: ${options.coldReps} repetition(s) of each command`);
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { compile } = require('../tools/bindings/pipeline') as typeof import('../tools/bindings/pipeline');
        compile(); // the TypeScript example imports the compiled library (lib/)
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        cold = (require('./cold') as typeof import('./cold')).runCold({ reps: options.coldReps, venvPython, helm: helmTool?.helm, chart, scratch: tmp });
      } catch (e) {
        cold = { results: [], problems: [], error: (e as Error).message };
      }
      process.stdout.write(` (load avg ${loadAvg()})\n`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const growth: BenchResult['growth'] = {};
  for (const variant of VARIANTS) {
    if (results.length && results.every((r) => r.variants[variant])) growth[variant] = growthOf(results, (i) => results[i].variants[variant]);
  }
  if (pythonResults.length === results.length && results.length) growth.python = growthOf(pythonResults, (i) => pythonResults[i].fleet);
  const targets = computeTargets(results, pythonResults);
  if (options.parts.has('python') && (pythonState.error || pythonResults.length < results.length)) {
    targets.push({ name: 'the Python fleet ran at every size', value: 0, judgedOn: 'same', limit: 1, pass: false });
  }
  if (cold?.problems.length) targets.push({ name: 'same output of the example in TypeScript and Python (cold)', value: 0, judgedOn: 'same', limit: 1, pass: false });

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
    config: {
      sizes: sized ? options.sizes : [],
      reps: options.reps,
      helmReps: options.helmReps,
      coldReps: options.coldReps,
      parts: [...options.parts],
      servicesPerTenant: fleet.SERVICES_PER_TENANT,
      servicesPerPool: fleet.SERVICES_PER_POOL,
    },
    results,
    growth,
    python: options.parts.has('python') ? { results: pythonResults, error: pythonState.error } : undefined,
    helm: helmResult,
    cold,
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
  if (failed.some((x) => x.judgedOn === 'same') || (options.strict && failed.length)) process.exitCode = 1;
}

main();
