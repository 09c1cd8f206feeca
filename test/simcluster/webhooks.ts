/**
 * Registers a controller's upstream admission webhooks with the apiserver by URL: the webhook configurations come from
 * the controller's own module (config/.../webhook/manifests.yaml, with the kustomize patches its release applies), and
 * only the client config changes, from the in-cluster Service to https://127.0.0.1:<port><path> with our CA.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseYaml, toObjects, KubeObject } from '../harness/objects';

/** One RFC 6902 operation as kustomize's JSON patches use them (`replace`/`add` of a whole list item). */
interface JsonPatchOp {
  readonly op: 'replace' | 'add' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

function applyJsonPatch(target: any, ops: readonly JsonPatchOp[]): void {
  for (const op of ops) {
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let node = target;
    for (const k of keys) node = node[Array.isArray(node) ? Number(k) : k];
    if (node === undefined) throw new Error(`JSON patch path ${op.path} does not exist`);
    const key: any = Array.isArray(node) ? (last === '-' ? node.length : Number(last)) : last;
    if (op.op === 'remove') {
      if (Array.isArray(node)) node.splice(key, 1); else delete node[key];
    } else if (op.op === 'add' && Array.isArray(node)) {
      node.splice(key, 0, op.value);
    } else {
      node[key] = op.value;
    }
  }
}

export interface WebhookSource {
  /** The manifests.yaml of the controller's webhook kustomization. */
  readonly manifests: string;
  /** JSON-patch files by the kind they patch (the kustomization's `patches` with a target). */
  readonly patches?: Readonly<Record<string, string>>;
  /** Extra per-webhook fields the kustomization sets (by webhook name), e.g. Kueue's namespaceSelector. */
  readonly webhookFields?: (webhookName: string) => Record<string, unknown> | undefined;
}

/** The webhook configurations of `source`, renamed `<prefix>-<name>` and pointed at `https://127.0.0.1:<port>`. */
export function webhookConfigurations(source: WebhookSource, prefix: string, port: number, caBundle: string): KubeObject[] {
  const docs = toObjects(parseYaml(fs.readFileSync(source.manifests, 'utf8')));
  return docs.map((doc) => {
    const obj = JSON.parse(JSON.stringify(doc));
    const patchFile = source.patches?.[obj.kind];
    if (patchFile) applyJsonPatch(obj, (parseYaml(fs.readFileSync(patchFile, 'utf8')) as unknown[]).flat() as JsonPatchOp[]);
    obj.metadata = { name: `${prefix}-${obj.metadata.name}` };
    for (const hook of obj.webhooks ?? []) {
      const servicePath = hook.clientConfig?.service?.path;
      if (!servicePath) throw new Error(`${source.manifests}: webhook ${hook.name} has no service path`);
      hook.clientConfig = { url: `https://127.0.0.1:${port}${servicePath}`, caBundle };
      Object.assign(hook, source.webhookFields?.(hook.name) ?? {});
    }
    return obj as KubeObject;
  });
}

/** Kueue v0.19's webhook kustomization (config/components/webhook/kustomization.yaml) keeps every job webhook out of kube-system and kueue-system. */
export function kueueWebhookSource(module: string): WebhookSource {
  const dir = path.join(module, 'config', 'components', 'webhook');
  const kustomization = fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8');
  const excluded = /values:\s*\n\s*- kube-system\s*\n\s*- kueue-system/.test(kustomization) ? ['kube-system', 'kueue-system'] : [];
  const selected = new Set([...kustomization.matchAll(/webhooks\.\[name=([a-z.]+)\]\.namespaceSelector/g)].map((m) => m[1]));
  return {
    manifests: path.join(dir, 'manifests.yaml'),
    webhookFields: (name) => (selected.has(name) && excluded.length
      ? { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }] } }
      : undefined),
  };
}

/** JobSet v0.12's webhook kustomization: the pod webhooks only see JobSet pods (patches/*.yaml). */
export function jobsetWebhookSource(module: string): WebhookSource {
  const dir = path.join(module, 'config', 'components', 'webhook');
  return {
    manifests: path.join(dir, 'manifests.yaml'),
    patches: {
      MutatingWebhookConfiguration: path.join(dir, 'patches', 'mutating-patch.yaml'),
      ValidatingWebhookConfiguration: path.join(dir, 'patches', 'validating-patch.yaml'),
    },
  };
}

/** LeaderWorkerSet's webhook kustomization: the pod webhooks only see LWS pods (config/webhook/*-patch.yaml). */
export function lwsWebhookSource(module: string): WebhookSource {
  const dir = path.join(module, 'config', 'webhook');
  return {
    manifests: path.join(dir, 'manifests.yaml'),
    patches: {
      MutatingWebhookConfiguration: path.join(dir, 'mutating-patch.yaml'),
      ValidatingWebhookConfiguration: path.join(dir, 'validating-patch.yaml'),
    },
  };
}
