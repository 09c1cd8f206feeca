// The language-bindings pipeline: build the jsii assembly, package it for Python and Go with jsii-pacmak, run the
// example app in TypeScript, Python and Go, and compare the three outputs byte for byte.
//
// Used by test/bindings/bindings.test.ts (part of `npm test`) and by tools/bindings/run.ts (standalone command).
// Every step is skipped when its inputs did not change since the last successful run (stamps in .cache/bindings/),
// so a warm run costs only the three syntheses.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
/** Per-clone state: stamps, the generated cdk8s Go module, the three outputs. Git-ignored (/.cache/). */
export const CACHE = path.join(ROOT, '.cache', 'bindings');
/** Per-machine state that survives fresh clones: the Python virtual environment. */
const USER_CACHE = process.env.CDK8S_AI_BINDINGS_CACHE ?? path.join(os.homedir(), '.cache', 'cdk8s-ai', 'bindings');

export const PYTHON_APP = path.join(ROOT, 'test', 'bindings', 'python');
export const GO_APP = path.join(ROOT, 'test', 'bindings', 'go');
export const TS_APP = path.join(ROOT, 'examples');
/** Where pacmak writes (package.json jsii.outdir), the same place as `npx projen package:python|go`. */
const DIST = path.join(ROOT, 'dist');
/** The cdk8s core Go module, generated from the npm package (see goDependencies). Go's replace points here. */
export const GO_DEPS = path.join(CACHE, 'go-deps');

/** What one step cost; `cached` when its inputs had not changed and it did nothing. */
export interface StepTiming {
  readonly step: string;
  readonly seconds: number;
  readonly cached: boolean;
}

export const timings: StepTiming[] = [];

function timed<T>(step: string, work: () => { cached: boolean; result: T }): T {
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  try {
    const { cached, result } = work();
    timings.push({ step, cached, seconds: seconds() });
    return result;
  } catch (e) {
    timings.push({ step: `${step} (failed)`, cached: false, seconds: seconds() });
    throw e;
  }
}

export function formatTimings(): string {
  return timings.map((t) => `${t.step.padEnd(28)} ${t.seconds.toFixed(1).padStart(7)} s${t.cached ? '  (up to date)' : ''}`).join('\n');
}

interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Milliseconds before the command is killed. */
  readonly timeout?: number;
}

/** Runs a command; throws with its exit status and the tail of its output when it fails. Returns stdout + stderr. */
export function run(command: string, args: string[], options: RunOptions = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeout ?? 15 * 60_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit status ${result.status}${result.signal ? ` (${result.signal})` : ''}`;
    throw new Error(`${[command, ...args].join(' ')} (in ${path.relative(ROOT, options.cwd ?? ROOT) || '.'}) failed: ${why}\n${tail(output)}`);
  }
  return output;
}

function tail(text: string, maxChars = 12_000): string {
  return text.length <= maxChars ? text : `...\n${text.slice(-maxChars)}`;
}

function packageVersion(name: string): string {
  return readJson(path.join(ROOT, 'node_modules', name, 'package.json')).version;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A hash of files and directories (recursively, following symlinks such as src/imports) plus extra strings. */
export function hashInputs(paths: string[], extra: string[] = []): string {
  const hash = createHash('sha256');
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(p).sort()) visit(path.join(p, child));
    } else {
      hash.update(`${path.relative(ROOT, p)}\0`);
      hash.update(fs.readFileSync(p));
    }
  };
  for (const p of paths) if (fs.existsSync(p)) visit(p);
  for (const e of extra) hash.update(`\0${e}`);
  return hash.digest('hex');
}

/** Runs `work` unless the stamp named `name` holds `key` and every `outputs` path exists; then records the key. */
function unlessUpToDate(name: string, key: string, outputs: string[], work: () => void): boolean {
  const stamp = path.join(CACHE, 'stamps', name);
  const upToDate = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key && outputs.every((o) => fs.existsSync(o));
  if (upToDate) return true;
  fs.rmSync(stamp, { force: true });
  work();
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, key);
  return false;
}

/**
 * jsii (the exec step of `npx projen compile`) when src/, tsconfig or package.json changed. Not `projen compile`
 * itself: its post-compile step regenerates API.md, which is not this pipeline's to write.
 */
export function compile(): void {
  const key = hashInputs([path.join(ROOT, 'src'), path.join(ROOT, 'package.json')], [packageVersion('jsii')]);
  timed('jsii compile', () => ({
    result: undefined,
    cached: unlessUpToDate('compile', key, [path.join(ROOT, '.jsii'), path.join(ROOT, 'lib', 'index.js')], () => {
      // On a fresh clone there is no stamp, but CI has just compiled (`projen build` compiles before it tests).
      if (!assemblyNewerThanSources()) run(path.join(BIN, 'jsii'), ['--silence-warnings=reserved-word']);
    }),
  }));
}

/** True when .jsii and lib/index.js were written after the last change to src/, tsconfig.json and package.json. */
function assemblyNewerThanSources(): boolean {
  const outputs = [path.join(ROOT, '.jsii'), path.join(ROOT, 'lib', 'index.js')];
  if (!outputs.every((o) => fs.existsSync(o))) return false;
  const built = Math.min(...outputs.map((o) => fs.statSync(o).mtimeMs));
  let newest = 0;
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    newest = Math.max(newest, stat.mtimeMs); // a directory's too: a removed file changes it
    if (stat.isDirectory()) for (const child of fs.readdirSync(p)) visit(path.join(p, child));
  };
  for (const p of ['src', 'tsconfig.json', 'package.json']) if (fs.existsSync(path.join(ROOT, p))) visit(path.join(ROOT, p));
  return newest < built;
}

/** What pacmak packages: the compiled library (the npm tarball it embeds) and its assembly. */
function libraryKey(): string {
  return hashInputs(['lib', '.jsii', 'package.json'].map((p) => path.join(ROOT, p)), [packageVersion('jsii-pacmak')]);
}

/** The Python wheel, exactly as `npx projen package:python` builds it (dist/python/*.whl). */
export function packagePython(): string {
  timed('jsii-pacmak python (wheel)', () => ({
    result: undefined,
    cached: unlessUpToDate('package-python', libraryKey(), [path.join(DIST, 'python')], () => {
      fs.rmSync(path.join(DIST, 'python'), { recursive: true, force: true }); // pacmak never removes stale files
      run(path.join(BIN, 'projen'), ['package:python']);
    }),
  }));
  const wheels = fs.readdirSync(path.join(DIST, 'python')).filter((f) => f.endsWith('.whl'));
  if (wheels.length !== 1) throw new Error(`expected one wheel in dist/python, found: ${wheels.join(', ') || 'none'}`);
  return path.join(DIST, 'python', wheels[0]);
}

/**
 * The Go module source, as `npx projen package:go` generates it (dist/go/cdk8sai). `--code-only` skips pacmak's
 * own `go mod tidy && go build`, which needs cdk8s-core-go from the module proxy (see goDependencies); the Go app's
 * `go test` compiles the same code instead.
 */
export function packageGo(): string {
  const moduleDir = path.join(DIST, 'go', goPackageName());
  timed('jsii-pacmak go (module)', () => ({
    result: undefined,
    cached: unlessUpToDate('package-go', libraryKey(), [moduleDir], () => {
      fs.rmSync(moduleDir, { recursive: true, force: true }); // a removed construct must not leave its .go file behind
      run(path.join(BIN, 'jsii-pacmak'), ['--target', 'go', '--code-only']);
    }),
  }));
  return moduleDir;
}

function goPackageName(): string {
  return readJson(path.join(ROOT, 'package.json')).jsii.targets.go.packageName;
}

/**
 * The Go module proxy reachable from this project's machines serves constructs-go, cdk8s-plus-go and
 * jsii-runtime-go, but refuses the module zips of cdk8s-core-go ("This module version is not available"). jsii-pacmak
 * generates that module from the very npm package the TypeScript example runs on (same code, same version), into
 * .cache/bindings/go-deps/go/cdk8s, where test/bindings/go/go.mod's replace directive points.
 */
export function goDependencies(): void {
  const key = [packageVersion('cdk8s'), packageVersion('jsii-pacmak')].join(' ');
  timed('jsii-pacmak go (cdk8s core)', () => ({
    result: undefined,
    cached: unlessUpToDate('go-deps', key, [path.join(GO_DEPS, 'go', 'cdk8s', 'go.mod')], () => {
      fs.rmSync(GO_DEPS, { recursive: true, force: true });
      run(path.join(BIN, 'jsii-pacmak'), ['--target', 'go', '--code-only', '--outdir', GO_DEPS, path.join(ROOT, 'node_modules', 'cdk8s')]);
    }),
  }));
}

/**
 * pip constraints that make the Python app run on the same versions of the jsii libraries as the TypeScript
 * example (the versions in node_modules), and on the jsii runtime matching the jsii-pacmak that generated the wheel.
 */
export function pythonConstraints(): string {
  const peers = Object.keys(readJson(path.join(ROOT, 'package.json')).peerDependencies ?? {}).sort();
  const lines = peers.map((peer) => {
    const distName = readJson(path.join(ROOT, 'node_modules', peer, 'package.json')).jsii?.targets?.python?.distName;
    if (!distName) throw new Error(`peer dependency ${peer} has no Python target`);
    return `${distName}==${packageVersion(peer)}`;
  });
  lines.push(`jsii==${packageVersion('jsii-pacmak')}`);
  return lines.join('\n') + '\n';
}

/** A virtual environment with pytest and the wheel (and its dependencies, pinned by pythonConstraints). */
export function pythonEnvironment(wheel: string): string {
  const python = process.env.CDK8S_AI_PYTHON ?? 'python3';
  const constraints = pythonConstraints();
  const requirements = path.join(PYTHON_APP, 'requirements.txt');
  const pythonVersion = run(python, ['--version']).trim();
  const key = hashInputs([requirements], [pythonVersion, constraints]).slice(0, 16);
  const venv = path.join(USER_CACHE, `venv-${key}`);
  const venvPython = path.join(venv, 'bin', 'python');
  const constraintsFile = path.join(CACHE, 'constraints.txt');
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(constraintsFile, constraints);

  timed('python venv + pytest', () => {
    const complete = path.join(venv, '.complete');
    if (fs.existsSync(complete)) return { cached: true, result: undefined };
    removeOtherVenvs(venv);
    fs.rmSync(venv, { recursive: true, force: true });
    run(python, ['-m', 'venv', venv]);
    run(venvPython, ['-m', 'pip', 'install', '--quiet', '-r', requirements, '-c', constraintsFile]);
    fs.writeFileSync(complete, `${pythonVersion}\n${constraints}`);
    return { cached: false, result: undefined };
  });

  timed('pip install wheel', () => {
    const installed = path.join(venv, '.wheel-sha256');
    const wheelHash = hashInputs([wheel]);
    if (fs.existsSync(installed) && fs.readFileSync(installed, 'utf8') === wheelHash) return { cached: true, result: undefined };
    // Every build is version 0.0.0: uninstall first so pip does not keep the previous build.
    run(venvPython, ['-m', 'pip', 'uninstall', '--quiet', '--yes', distName()]);
    run(venvPython, ['-m', 'pip', 'install', '--quiet', wheel, '-c', constraintsFile]);
    fs.writeFileSync(installed, wheelHash);
    return { cached: false, result: undefined };
  });
  return venvPython;
}

/** Environments for other Python versions or pins are never used again: keep one per machine. */
function removeOtherVenvs(keep: string): void {
  if (!fs.existsSync(USER_CACHE)) return;
  for (const entry of fs.readdirSync(USER_CACHE)) {
    const p = path.join(USER_CACHE, entry);
    if (entry.startsWith('venv-') && p !== keep) fs.rmSync(p, { recursive: true, force: true });
  }
}

function distName(): string {
  return readJson(path.join(ROOT, 'package.json')).jsii.targets.python.distName;
}

/** Builds everything the three apps need. */
export function buildBindings(): { venvPython: string } {
  compile();
  const wheel = packagePython();
  packageGo();
  goDependencies();
  return { venvPython: pythonEnvironment(wheel) };
}

/** A fresh, empty output directory for one language. */
export function outputDir(language: string): string {
  const dir = path.join(CACHE, 'out', language);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The TypeScript example, synthesized the way `npx projen example` does (cdk8s synth in examples/). */
export function synthTypeScript(outdir: string): void {
  timed('synth TypeScript example', () => ({
    cached: false,
    result: run(path.join(BIN, 'cdk8s'), ['synth', '--output', outdir], { cwd: TS_APP }),
  }));
}

/** The Python app, through its pytest suite (which synthesizes into CDK8S_OUTDIR). */
export function synthPython(venvPython: string, outdir: string): void {
  timed('pytest Python app', () => ({
    cached: false,
    result: run(venvPython, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', PYTHON_APP], {
      env: { CDK8S_OUTDIR: outdir, PYTHONDONTWRITEBYTECODE: '1' },
    }),
  }));
}

/** The Go app, through `go test` against dist/go/cdk8sai (replace directive in test/bindings/go/go.mod). */
export function synthGo(outdir: string): void {
  timed('go test Go app', () => ({
    cached: false,
    result: run('go', ['test', '-count=1', './...'], {
      cwd: GO_APP,
      env: {
        CDK8S_OUTDIR: outdir,
        GOTOOLCHAIN: 'local',
        GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=mod`.trim(),
      },
    }),
  }));
}

/** Relative paths of every file below `dir`, sorted. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const visit = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) visit(p);
      else files.push(path.relative(dir, p));
    }
  };
  visit(dir);
  return files.sort();
}

/**
 * The differences between two output directories, one entry per problem: files only on one side, and for files on
 * both sides whose bytes differ, a short line diff (`-` TypeScript, `+` the other language). Empty when they are
 * byte-identical file by file.
 */
export function compareOutputs(expectedDir: string, actualDir: string, actualName: string): string[] {
  const expected = listFiles(expectedDir);
  const actual = listFiles(actualDir);
  const problems: string[] = [];
  for (const f of expected.filter((x) => !actual.includes(x))) problems.push(`${f}: missing from the ${actualName} output`);
  for (const f of actual.filter((x) => !expected.includes(x))) problems.push(`${f}: only in the ${actualName} output`);
  for (const f of expected.filter((x) => actual.includes(x))) {
    const a = fs.readFileSync(path.join(expectedDir, f));
    const b = fs.readFileSync(path.join(actualDir, f));
    if (!a.equals(b)) problems.push(`${f}: ${actualName} differs from TypeScript\n${lineDiff(a.toString('utf8'), b.toString('utf8'), actualName)}`);
  }
  return problems;
}

/**
 * A readable diff of two texts: the differing region (after the common head and tail) with 3 lines of context,
 * line numbers of the TypeScript file, at most `maxLines` lines. When both sides hold the same lines in another
 * order, says so: that is what a construct iterating a user map in insertion order looks like from Go.
 */
export function lineDiff(expected: string, actual: string, actualName: string, maxLines = 40): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  let head = 0;
  while (head < e.length && head < a.length && e[head] === a[head]) head++;
  if (head === e.length && head === a.length) return '  the lines are equal but the bytes are not (line endings)';
  let tailLen = 0;
  while (tailLen < e.length - head && tailLen < a.length - head && e[e.length - 1 - tailLen] === a[a.length - 1 - tailLen]) tailLen++;
  const eMid = e.slice(head, e.length - tailLen);
  const aMid = a.slice(head, a.length - tailLen);
  const context = 3;
  const out: string[] = [`  @@ line ${head + 1} of the TypeScript file (- TypeScript, + ${actualName})`];
  for (let i = Math.max(0, head - context); i < head; i++) out.push(`    ${e[i]}`);
  const body = [...eMid.map((l) => `  - ${l}`), ...aMid.map((l) => `  + ${l}`)];
  out.push(...body.slice(0, maxLines));
  if (body.length > maxLines) out.push(`  ... ${body.length - maxLines} more changed lines`);
  else for (let i = e.length - tailLen; i < Math.min(e.length, e.length - tailLen + context); i++) out.push(`    ${e[i]}`);
  const sorted = (lines: string[]) => [...lines].sort().join('\n');
  if (eMid.length > 1 && sorted(eMid) === sorted(aMid)) {
    out.push('  (the same lines in another order: a construct turns a map prop into a list in insertion order; Go hands'
      + ' maps to the library with sorted keys, so the construct must sort them)');
  }
  return out.join('\n');
}
