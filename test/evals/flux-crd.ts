import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeObject, parseYaml, toObjects } from '../harness';

/**
 * The Flux Kustomization CRD, which ../shared/crds does not carry: fetched at test time from the Go module proxy
 * (github.com/fluxcd/kustomize-controller, the release the evals note was written against) into the Go module
 * cache, never committed. Loaded per test file and applied for real by the harness (a CRD in an object set is
 * applied and waited for before the rest is dry-run).
 */
export const KUSTOMIZE_CONTROLLER = 'github.com/fluxcd/kustomize-controller@v1.9.4';
const CRD_FILE = 'config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml';

let cached: KubeObject | undefined;

export function fluxKustomizationCrd(): KubeObject {
  if (cached) return cached;
  const out = execFileSync('go', ['mod', 'download', '-json', KUSTOMIZE_CONTROLLER], {
    cwd: os.tmpdir(), // outside any module
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    timeout: 120_000,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${KUSTOMIZE_CONTROLLER} failed: ${info.Error ?? out}`);
  const [crd] = toObjects(parseYaml(fs.readFileSync(path.join(info.Dir, CRD_FILE), 'utf8')) as unknown[]);
  if (crd?.kind !== 'CustomResourceDefinition') throw new Error(`${CRD_FILE} in ${info.Dir} is not a CRD`);
  cached = crd;
  return crd;
}
