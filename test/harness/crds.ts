/**
 * Loading CRDs from ../shared/crds and installing them for real, then waiting
 * until each one is Established and its versions are served by discovery.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Discovery } from './discovery';
import { APPLY_CONTENT, KubeClient, Limiter, delay, isSuccess, statusMessage } from './kube-client';
import { KubeObject, parseYaml, toObjects } from './objects';

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const FIELD_MANAGER = 'cdk8s-ai-test-harness';

export interface CrdSpec {
  group: string;
  names: { plural: string; kind: string };
  versions: Array<{ name: string; served: boolean }>;
  conversion?: { strategy?: string };
}

export function isCrd(obj: KubeObject): boolean {
  return obj.kind === 'CustomResourceDefinition' && obj.apiVersion === CRD_API_VERSION;
}

function crdSpec(obj: KubeObject): CrdSpec {
  return obj.spec as CrdSpec;
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      return listFiles(full);
    }
    return /\.(ya?ml|json)$/.test(e.name) ? [full] : [];
  }).sort();
}

/**
 * Every CustomResourceDefinition under `dir` (recursively, YAML or JSON).
 * Conversion webhooks are replaced by `strategy: None`: no webhook runs in the
 * test environment, and with a webhook a CR sent in a non-storage version
 * would fail on the missing service rather than on its own merits.
 */
export function loadCrds(dir: string): KubeObject[] {
  const crds: KubeObject[] = [];
  for (const file of listFiles(dir)) {
    const docs = toObjects(parseYaml(fs.readFileSync(file, 'utf8')));
    for (const doc of docs.filter(isCrd)) {
      const spec = crdSpec(doc);
      if (spec.conversion?.strategy === 'Webhook') {
        spec.conversion = { strategy: 'None' };
      }
      crds.push(doc);
    }
  }
  return crds.sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

interface CrdStatus {
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

function condition(crd: CrdStatus, type: string): { status: string; message?: string } | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** Creates (or server-side applies) one CRD for real; throws with the server's message. */
export async function applyCrd(client: KubeClient, crd: KubeObject): Promise<void> {
  const query = `fieldManager=${FIELD_MANAGER}&fieldValidation=Strict`;
  let res = await client.request('POST', `${CRD_PATH}?${query}`, { body: crd });
  if (res.status === 409) {
    res = await client.request('PATCH', `${CRD_PATH}/${crd.metadata.name}?${query}&force=true`,
      { body: crd, contentType: APPLY_CONTENT });
  }
  if (!isSuccess(res)) {
    throw new Error(`CustomResourceDefinition ${crd.metadata.name}: ${statusMessage(res)}`);
  }
}

/** Waits until every CRD is Established and all its served versions appear in discovery. */
export async function waitForCrds(client: KubeClient, discovery: Discovery, crds: readonly KubeObject[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...crds];
  while (pending.length > 0) {
    const table = await discovery.refresh();
    const servedPlurals = new Set([...table.entries()].map(([key, r]) => `${key.split('#')[0]}#${r.resource}`));
    const still: KubeObject[] = [];
    for (const crd of pending) {
      const spec = crdSpec(crd);
      const allServed = spec.versions.filter((v) => v.served)
        .every((v) => servedPlurals.has(`${spec.group}/${v.name}#${spec.names.plural}`));
      if (!allServed) {
        still.push(crd);
      }
    }
    pending = still;
    if (pending.length === 0) {
      break;
    }
    if (Date.now() > deadline) {
      const details = await Promise.all(pending.map(async (crd) => {
        const res = await client.get(`${CRD_PATH}/${crd.metadata.name}`);
        const est = isSuccess(res) ? condition(res.body as CrdStatus, 'Established') : undefined;
        const names = isSuccess(res) ? condition(res.body as CrdStatus, 'NamesAccepted') : undefined;
        return `${crd.metadata.name} (Established=${est?.status ?? '?'} ${est?.message ?? ''}; NamesAccepted=${names?.status ?? '?'} ${names?.message ?? ''})`;
      }));
      throw new Error(`CRDs not served after ${timeoutMs} ms: ${details.join('; ')}`);
    }
    await delay(100);
  }
}

/** Installs CRDs for real (a few at a time) and waits until all are served. */
export interface CrdInstallTimes {
  applyMs: number;
  waitMs: number;
}

export async function installCrds(
  client: KubeClient, discovery: Discovery, crds: readonly KubeObject[], concurrency = 4,
): Promise<CrdInstallTimes> {
  const t0 = Date.now();
  const limiter = new Limiter(concurrency);
  const results = await Promise.allSettled(crds.map((crd) => limiter.run(() => applyCrd(client, crd))));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message ?? r.reason)] : []));
  if (errors.length > 0) {
    throw new Error(`installing CRDs failed:\n- ${errors.join('\n- ')}`);
  }
  const t1 = Date.now();
  await waitForCrds(client, discovery, crds);
  return { applyMs: t1 - t0, waitMs: Date.now() - t1 };
}
