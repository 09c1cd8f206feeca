/**
 * Time to first YAML: the example platform (examples/main.ts, and its Python twin test/bindings/python/app.py)
 * synthesized from a cold process, the way a user runs it, beside `helm template` of the equivalent chart releases.
 *
 * "Cold" is a new process with nothing loaded (the operating system's file cache is warm: every variant runs once
 * before the timed repetitions, so none pays for first reads from disk, and the jsii runtime's package cache holds the
 * extracted assemblies, as on any machine after the first run).
 *
 * - `cdk8s synth` (TS):     examples/cdk8s.yaml as a user runs it: the cdk8s CLI, which runs `npx ts-node` (type checked)
 *                           on main.ts;
 * - `node main.js` (TS):    the app alone, transpiled ahead (what a compiled app costs per synth);
 * - `cdk8s synth` (Python): the CLI running the Python app (`cdk8s synth --app "python app.py"`);
 * - `python app.py`:        the Python app alone (interpreter, jsii runtime start, assemblies, synth, files);
 * - `helm template` x 2:    the llm-d-router gateway chart for the example's two InferencePools (llama, llama-canary).
 *
 * Each through bench/python/measure.py: wall time, CPU time of the process and all its descendants, and the largest
 * peak RSS of any one of them. The TypeScript and Python outputs are compared file by file (byte-identical).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, measure, Measurement } from './helm';
import { jsiiEnv } from './python';
import { median } from './report';
import { compareOutputs, listFiles } from '../tools/bindings/pipeline';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const PYTHON_APP = path.join(ROOT, 'test', 'bindings', 'python', 'app.py');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');

export interface ColdResult {
  name: string;
  language: 'TypeScript' | 'Python' | 'helm';
  /** Medians over the repetitions. */
  wallMs: number;
  cpuMs: number;
  maxRssBytes: number;
  samplesMs: number[];
  files: number;
  bytes: number;
  objects: number;
}

/**
 * The example transpiled to plain JavaScript, importing the compiled library (lib/) by absolute path; written below
 * bench/results/build/ so that it resolves cdk8s from the project's node_modules.
 */
function transpileExample(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const ts = require('typescript') as typeof import('typescript');
  const source = fs.readFileSync(path.join(EXAMPLES, 'main.ts'), 'utf8').replace(/from '\.\.\/lib'/g, `from ${JSON.stringify(path.join(ROOT, 'lib'))}`);
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const { outputText } = ts.transpileModule(source, { compilerOptions });
  const out = path.join(ROOT, 'bench', 'results', 'build', 'examples', 'main.js');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
  return out;
}

function outputStats(dir: string): { files: number; bytes: number; objects: number } {
  const files = listFiles(dir);
  let bytes = 0;
  let objects = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    bytes += Buffer.byteLength(text);
    if (f.endsWith('.yaml')) objects += text.split(/^---\s*$/m).filter((d) => /^kind:/m.test(d)).length;
  }
  return { files: files.length, bytes, objects };
}

export interface ColdOptions { reps: number; venvPython?: string; helm?: string; chart?: string; scratch: string }

/** Runs every cold variant `reps` times (plus one untimed warm-up each); returns results and output problems. */
export function runCold(o: ColdOptions): { results: ColdResult[]; problems: string[] } {
  const main = transpileExample();
  const env = jsiiEnv();
  const out = (name: string) => {
    const dir = path.join(o.scratch, 'cold', name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  type Variant = { name: string; language: ColdResult['language']; commands: (dir: string) => Command[] };
  const variants: Variant[] = [
    { name: 'cdk8s synth (TypeScript, ts-node)', language: 'TypeScript', commands: (dir) => [{ argv: [CDK8S, 'synth', '--no-check-upgrade', '--output', dir], cwd: EXAMPLES }] },
    { name: 'node main.js (TypeScript, transpiled ahead)', language: 'TypeScript', commands: (dir) => [{ argv: [process.execPath, main], cwd: EXAMPLES, env: { CDK8S_OUTDIR: dir } }] },
  ];
  if (o.venvPython) {
    variants.push(
      { name: 'cdk8s synth (Python)', language: 'Python', commands: (dir) => [{ argv: [CDK8S, 'synth', '--no-check-upgrade', '--app', `${o.venvPython} ${PYTHON_APP}`, '--output', dir], cwd: EXAMPLES, env }] },
      { name: 'python app.py', language: 'Python', commands: (dir) => [{ argv: [o.venvPython!, PYTHON_APP], cwd: EXAMPLES, env: { ...env, CDK8S_OUTDIR: dir } }] },
    );
  }
  if (o.helm && o.chart) {
    const release = (name: string, route: boolean): Command => ({
      argv: [o.helm!, 'template', name, o.chart!, '--namespace', 'serving', '--set', `router.modelServers.matchLabels.app=${name}`,
        '--set', `httpRoute.create=${route}`, '--set', 'httpRoute.inferenceGatewayNamespace=gateways', '--set', 'router.monitoring.prometheus.enabled=true',
        '--set', `router.monitoring.prometheus.auth.secretName=${name}-metrics-reader`],
    });
    variants.push({ name: 'helm template x 2 (llama, llama-canary)', language: 'helm', commands: () => [release('llama', true), release('llama-canary', false)] });
  }
  const results: ColdResult[] = [];
  const dirs: Record<string, string> = {};
  for (const v of variants) {
    const samples: Measurement[] = [];
    let stats = { files: 0, bytes: 0, objects: 0 };
    for (let rep = 0; rep <= o.reps; rep++) {
      const dir = out(v.name.replace(/[^a-z0-9]+/gi, '-'));
      const helmOut = v.language === 'helm' ? path.join(dir, 'helm.yaml') : undefined;
      const m = measure(v.commands(dir), o.scratch, helmOut);
      if (rep > 0) samples.push(m); // the first run warms the file cache
      stats = outputStats(dir);
      dirs[v.name] = dir;
    }
    results.push({
      name: v.name,
      language: v.language,
      wallMs: median(samples.map((s) => s.wallMs)),
      cpuMs: median(samples.map((s) => s.cpuMs)),
      maxRssBytes: Math.max(...samples.map((s) => s.maxRssBytes)),
      samplesMs: samples.map((s) => Math.round(s.wallMs)),
      ...stats,
    });
  }
  const problems: string[] = [];
  const ts = dirs[variants[0].name];
  for (const v of variants.slice(1).filter((x) => x.language !== 'helm')) problems.push(...compareOutputs(ts, dirs[v.name], v.name));
  return { results, problems };
}
