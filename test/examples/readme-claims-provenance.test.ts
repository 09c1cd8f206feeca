/**
 * The README's "Image and model provenance" section (issue 19): its TypeScript example is run as written (only the
 * `<digest>` placeholder filled in) and gives what the prose says; the tests it names exist and check what it claims.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import * as lib from '../../src';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`### ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n### ', start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Runs the section's first ```ts block with the library and cdk8s in scope; returns what the block's `app` holds. */
function runExample(text: string): any[] {
  const code = /```ts\n([\s\S]*?)```/.exec(text)![1].replace('sha256:<digest>', `sha256:${'e'.repeat(64)}`);
  const js = ts.transpileModule(`${code}\nreturn app;`, { compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.None } }).outputText;
  const scope: Record<string, unknown> = { ...cdk8s, ...lib };
  const names = Object.keys(scope).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const app = new Function(...names, js)(...names.map((n) => scope[n])) as cdk8s.App;
  return app.charts.flatMap((c) => c.toJson());
}

test('the provenance example requires two attestations and verifies the model before the server starts', () => {
  const text = section('Image and model provenance');
  const objects = runExample(text);
  const cip = objects.find((o) => o.kind === 'ClusterImagePolicy');
  expect(cip.spec.authorities[0].attestations.map((a: any) => a.predicateType)).toEqual([
    'https://slsa.dev/provenance/v1', 'https://cosign.sigstore.dev/attestation/vuln/v1',
  ]);
  const pod = objects.find((o) => o.kind === 'Deployment').spec.template.spec;
  expect(pod.initContainers.map((c: any) => c.name)).toEqual(['model-download', 'model-verify']);
  expect(pod.initContainers[1].command.slice(0, 3)).toEqual(['model_signing', 'verify', 'sigstore']);
  expect(pod.initContainers[1].securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
  // the versions and files the prose names
  expect(text).toContain('policy-controller v0.15.1');
  expect(fs.readFileSync(path.join(ROOT, 'tools', 'simcluster', 'opa', 'go.mod'), 'utf8')).toMatch(/github\.com\/open-policy-agent\/opa v1\.12\.3/);
  expect(text).toContain('OPA v1.12.3');
  for (const file of ['test/security/image-attestation.test.ts', 'test/security/provenance.apiserver.test.ts']) {
    expect(text).toContain(file);
    expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  }
  expect(fs.readFileSync(path.join(ROOT, 'test/security/image-attestation.test.ts'), 'utf8')).toContain('evaluate(policy');
});

test('the verifier image has no default: an example without a digest is refused', () => {
  const text = section('Image and model provenance').replace('@sha256:<digest>', '');
  expect(() => runExample(text)).toThrow(/verifierImage.*expected an image pinned by digest/);
});
