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
import type { HelmRender } from './helm';
import { compare, report } from './print';
import type { PythonSample } from './python';
import {
  BenchResult, computeTargets, fmtN, growthOf, Measured, Part, PARTS, PYTHON_MODES, PythonMode, PythonSizeResult, Ratios, SCHEMA, SizeResult,
  summarize, VARIANTS, VariantResult,
} from './report';
import type { Sample } from './worker';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, 'build');

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


/** The fleet sizes: capture (fleet part), then rounds of ours / baseline / floor / python. */
function runSizes(options: Options, venvPython: string | undefined, tmp: string, pythonError: { error?: string }):
{ results: SizeResult[]; python: PythonSizeResult[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const py = require('./python') as typeof import('./python');
  const fleetPart = options.parts.has('fleet');
  const results: SizeResult[] = [];
  const python: PythonSizeResult[] = [];
  const variants: Measured[] = fleetPart ? [...VARIANTS] : ['ours'];
  // Each Python mode runs beside its TypeScript peer: `app` (cdk8s's App) only when the fleet part measures oursApp.
  const pyModes: PythonMode[] = PYTHON_MODES.filter((m) => fleetPart || m !== 'app');
  for (const n of options.sizes) {
    const manifests = path.join(tmp, `fleet-${n}.json`);
    process.stdout.write(`N=${fmtN(n)}:`);
    let captured: Sample | undefined;
    if (fleetPart) {
      captured = runWorker('capture', n, manifests, false);
      process.stdout.write(` capture (${fmtN(captured.objects)} objects, ${fmtN(captured.bytes)} bytes)`);
    }
    const samples: Record<Measured, Sample[]> = { ours: [], oursApp: [], oursFiles: [], oursFilesPerService: [], baseline: [], floor: [] };
    const pySamples: Record<PythonMode, PythonSample[]> = { files: [], yaml: [], app: [], perService: [] };
    for (let rep = 0; rep < options.reps; rep++) {
      for (const variant of variants) samples[variant].push(runWorker(variant, n, manifests, rep === 0));
      if (venvPython && !pythonError.error) {
        samples.oursFiles.push(runWorker('oursFiles', n, manifests, false));
        samples.oursFilesPerService.push(runWorker('oursFilesPerService', n, manifests, false));
        for (const mode of pyModes) {
          try {
            pySamples[mode].push(py.runPythonWorker(venvPython, n, mode, rep === 0 && mode === 'files'));
          } catch (e) {
            pythonError.error = (e as Error).message;
            console.log(`\n  python failed: ${pythonError.error.split('\n')[0]}`);
            break;
          }
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
      const oursApp = summarize(samples.oursApp, `oursApp N=${n}`);
      r.variants.oursApp = oursApp;
      const ratios = (t: (v: VariantResult) => number): Ratios => ({
        oursToBaseline: t(ours) / t(baseline),
        oursToFloor: t(ours) / t(floor),
        baselineToFloor: t(baseline) / t(floor),
        oursAppToBaseline: t(oursApp) / t(baseline),
        oursAppToFloor: t(oursApp) / t(floor),
        oursToOursApp: t(ours) / t(oursApp),
      });
      r.ratios = ratios((v) => v.medianMs);
      r.cpuRatios = ratios((v) => v.medianCpuMs);
    }
    if (samples.oursFiles.length) r.variants.oursFiles = summarize(samples.oursFiles, `oursFiles N=${n}`);
    if (samples.oursFilesPerService.length) {
      r.variants.oursFilesPerService = summarize(samples.oursFilesPerService, `oursFilesPerService N=${n}`);
    }
    results.push(r);
    if (pyModes.every((m) => pySamples[m].length === options.reps)) python.push(py.summarizePython(n, pySamples, r.variants));
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
