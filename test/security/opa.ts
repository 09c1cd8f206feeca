/**
 * Evaluates the Rego attestation policies the library generates with OPA itself (github.com/open-policy-agent/opa
 * v1.12.3, the version sigstore policy-controller v0.15.1 requires in its go.mod), built by tools/simcluster/build.sh
 * from the Go module proxy (`OPA=<path>` among its output lines; `CDK8S_AI_OPA` points at another binary instead).
 *
 * What policy-controller does with a `type: rego` attestation policy (sigstore/cosign v3.0.5
 * pkg/cosign/rego/rego.go `ValidateJSONWithModuleInput`): it loads the module as `sigstore.rego` in Rego v0 mode,
 * evaluates `isCompliant = data.sigstore.isCompliant` with the in-toto statement as input, and admits when the
 * binding is `true`, or a list with an entry whose `result` is true; otherwise the entries' `error` is the message.
 * `evaluate` does the same through the `opa` CLI (`--v0-compatible`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simclusterPath } from '../observability/promtool';

let cached: string | undefined;

/** The opa binary. */
export function opaPath(): string {
  if (cached) return cached;
  return (cached = process.env.CDK8S_AI_OPA || simclusterPath('OPA'));
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(opaPath(), args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function withFiles<T>(files: { [name: string]: string }, fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-opa-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `opa check --strict` in Rego v0 mode (as policy-controller parses) and in v1 mode; the output on failure. */
export function checkPolicy(policy: string): { ok: boolean; output: string } {
  return withFiles({ 'sigstore.rego': policy }, (dir) => {
    const file = path.join(dir, 'sigstore.rego');
    const v0 = run(['check', '--strict', '--v0-compatible', file]);
    const v1 = run(['check', '--strict', file]);
    return { ok: v0.status === 0 && v1.status === 0, output: `${v0.stdout}${v0.stderr}${v1.stdout}${v1.stderr}` };
  });
}

/** Policy-controller's verdict on one attestation: compliant, or the error it would report. */
export interface Verdict {
  readonly compliant: boolean;
  readonly error: string;
}

/** Evaluates `policy` against `statement` (an in-toto statement) the way policy-controller does. */
export function evaluate(policy: string, statement: unknown): Verdict {
  return withFiles({ 'sigstore.rego': policy, 'input.json': JSON.stringify(statement) }, (dir) => {
    const res = run(['eval', '--v0-compatible', '--format=json', '-d', path.join(dir, 'sigstore.rego'), '-i', path.join(dir, 'input.json'),
      'isCompliant = data.sigstore.isCompliant']);
    if (res.status !== 0) throw new Error(`opa eval failed (${res.status}): ${res.stdout}${res.stderr}`);
    const out = JSON.parse(res.stdout);
    const binding = out.result?.[0]?.bindings?.isCompliant;
    if (binding === true) return { compliant: true, error: '' };
    if (Array.isArray(binding)) {
      if (binding.some((r: any) => r.result === true)) return { compliant: true, error: '' };
      return { compliant: false, error: binding.map((r: any) => r.error ?? '').join('; ') };
    }
    return { compliant: false, error: `policy is not compliant (isCompliant = ${JSON.stringify(binding)})` };
  });
}
