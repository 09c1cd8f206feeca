/**
 * The jsii assembly (.jsii) of src/ as it is now. `npx projen build` compiles before it tests, but `npx projen test`
 * (npm test) does not compile at all, so a fresh clone has no .jsii and an edited tree a stale one: then this
 * compiles first. Jest runs test files in parallel workers, so the compile is serialized by a lock directory and a
 * worker that waited reads what the other compiled.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
const ASSEMBLY = path.join(ROOT, '.jsii');
const LOCK = path.join(ROOT, '.cache', 'jsii-compile.lock');
const LOCK_WAIT_MS = 300_000;

function newestSource(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return Math.max(newest, newestSource(full));
    return e.name.endsWith('.ts') ? Math.max(newest, fs.statSync(full).mtimeMs) : newest;
  }, 0);
}

function isStale(): boolean {
  return !fs.existsSync(ASSEMBLY) || fs.statSync(ASSEMBLY).mtimeMs < newestSource(path.join(ROOT, 'src'));
}

function compile(): void {
  try {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'projen'), ['compile'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    const errors = out.split('\n').filter((l) => /error|failed/i.test(l)).slice(0, 30).join('\n');
    throw new Error(`.jsii is missing or older than src/, and \`npx projen compile\` failed:\n${errors}`);
  }
}

function withLock<T>(fn: () => T): T {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new Error(`${LOCK} held for over ${LOCK_WAIT_MS / 1000} s; remove it if no test runs`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The parsed .jsii of the current src/, compiled first (once across workers) when missing or stale. */
export function freshAssembly<T>(): T {
  return withLock(() => {
    if (isStale()) compile();
    return JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8')) as T;
  });
}
