/**
 * Synthesizes the example platform (examples/main.ts, the app the README tells users to copy) the way `cdk8s synth`
 * runs it, but from src/ instead of the compiled lib/, into a temporary directory, and returns its objects.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeObject, PROJECT_ROOT, parseYamlObjects } from './scanners';

const EXAMPLES = path.join(PROJECT_ROOT, 'examples');

export function synthExample(): { objects: KubeObject[]; files: string[]; texts: Record<string, string> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-example-'));
  try {
    execFileSync(process.execPath, [
      '-r', require.resolve('ts-node/register/transpile-only'),
      '-r', path.join(__dirname, 'lib-to-src.ts'),
      path.join(EXAMPLES, 'main.ts'),
    ], {
      cwd: EXAMPLES,
      env: { ...process.env, CDK8S_OUTDIR: outdir, TS_NODE_PROJECT: path.join(PROJECT_ROOT, 'test', 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    const texts = Object.fromEntries(fs.readdirSync(outdir).sort().map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
    const files = Object.keys(texts).filter((f) => /\.ya?ml$/.test(f));
    const objects = files.flatMap((f) => parseYamlObjects(texts[f], `examples/dist/${f}`));
    return { objects, files, texts };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
