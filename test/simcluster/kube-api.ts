/**
 * The few API calls the behaviour tests make against the simulated cluster: server-side apply for real (as Argo CD or
 * `kubectl apply --server-side` would), get, list, status patches, and health probes of the controllers.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Discovery } from '../harness/discovery';
import { APPLY_CONTENT, KubeClient, MERGE_PATCH_CONTENT, isSuccess, statusMessage } from '../harness/kube-client';
import { KubeObject } from '../harness/objects';

export interface ApplyOptions {
  /** Take fields other managers own (default false: a conflict is an error, as for a GitOps re-sync). */
  readonly force?: boolean;
}

export interface ApplyResult {
  readonly object: KubeObject;
  readonly status: number;
  readonly message?: string;
}

export class ApplyError extends Error {
  constructor(public readonly failures: readonly ApplyResult[]) {
    super(`${failures.length} object(s) not applied:\n${failures.map((f) => `- ${f.object.kind} ${f.object.metadata.namespace ?? ''}/${f.object.metadata.name}: HTTP ${f.status} ${f.message}`).join('\n')}`);
  }
}

export class KubeApi {
  public readonly client: KubeClient;
  public readonly discovery: Discovery;

  constructor(port: number, token: string, caFile: string) {
    this.client = KubeClient.fromCaFile(port, token, caFile, 16);
    this.discovery = new Discovery(this.client);
  }

  /** The collection path of a kind (namespaced when `namespace` is given and the kind is namespaced). */
  async collection(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const r = await this.discovery.lookup(apiVersion, kind);
    if (!r) throw new Error(`the apiserver serves no ${kind} in ${apiVersion}`);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.resource}` : `${base}/${r.resource}`;
  }

  /** The object's path; a namespaced object without a namespace goes to `default`, as `kubectl apply` puts it. */
  async path(obj: KubeObject): Promise<string> {
    return `${await this.collection(obj.apiVersion, obj.kind, (obj.metadata.namespace as string | undefined) ?? 'default')}/${obj.metadata.name}`;
  }

  /** Server-side applies one object for real; returns the HTTP outcome (no throw). */
  async apply(obj: KubeObject, fieldManager: string, options: ApplyOptions = {}): Promise<ApplyResult> {
    const query = `fieldManager=${encodeURIComponent(fieldManager)}&fieldValidation=Strict${options.force ? '&force=true' : ''}`;
    const res = await this.client.request('PATCH', `${await this.path(obj)}?${query}`, { body: obj, contentType: APPLY_CONTENT });
    return { object: obj, status: res.status, message: isSuccess(res) ? undefined : statusMessage(res) };
  }

  /**
   * Applies objects in dependency order (Namespaces, CRD-free cluster objects, then the rest), each kind group in
   * parallel; throws an ApplyError listing every failure.
   */
  async applyAll(objects: readonly KubeObject[], fieldManager: string, options: ApplyOptions = {}): Promise<ApplyResult[]> {
    const first = (o: KubeObject) => (o.kind === 'Namespace' ? 0 : ['ServiceAccount', 'ConfigMap', 'Secret', 'DeviceClass',
      'ResourceFlavor', 'Cohort', 'WorkloadPriorityClass', 'ClusterQueue', 'PriorityClass', 'Role', 'ClusterRole'].includes(o.kind) ? 1
      : o.kind === 'LocalQueue' || o.kind === 'ResourceClaimTemplate' ? 2 : 3);
    const results: ApplyResult[] = [];
    for (const stage of [0, 1, 2, 3]) {
      results.push(...await Promise.all(objects.filter((o) => first(o) === stage).map((o) => this.apply(o, fieldManager, options))));
    }
    const failures = results.filter((r) => !isSuccess({ status: r.status } as any));
    if (failures.length) throw new ApplyError(failures);
    return results;
  }

  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<any | undefined> {
    const res = await this.client.get(`${await this.collection(apiVersion, kind, namespace)}/${name}`);
    if (res.status === 404) return undefined;
    if (!isSuccess(res)) throw new Error(`GET ${kind} ${namespace ?? ''}/${name}: ${statusMessage(res)}`);
    return res.body;
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<any[]> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const res = await this.client.get(`${await this.collection(apiVersion, kind, namespace)}${q}`);
    if (!isSuccess(res)) throw new Error(`LIST ${kind} ${namespace ?? ''}: ${statusMessage(res)}`);
    return (res.body as { items: any[] }).items;
  }

  async delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<void> {
    const res = await this.client.request('DELETE', `${await this.collection(apiVersion, kind, namespace)}/${name}`,
      { body: { propagationPolicy: 'Background' } });
    if (!isSuccess(res) && res.status !== 404) throw new Error(`DELETE ${kind} ${namespace ?? ''}/${name}: ${statusMessage(res)}`);
  }

  /** A merge patch of the status subresource (what a kubelet reports). */
  async patchStatus(apiVersion: string, kind: string, name: string, namespace: string | undefined, status: unknown): Promise<void> {
    const res = await this.client.request('PATCH', `${await this.collection(apiVersion, kind, namespace)}/${name}/status`,
      { body: { status }, contentType: MERGE_PATCH_CONTENT });
    if (!isSuccess(res)) throw new Error(`PATCH ${kind} ${namespace ?? ''}/${name}/status: ${statusMessage(res)}`);
  }

  async createNamespace(name: string): Promise<void> {
    await this.applyAll([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }], 'simcluster');
  }

  /** POST a subresource (e.g. a ServiceAccount token request). */
  async post(path: string, body: unknown): Promise<any> {
    const res = await this.client.request('POST', path, { body });
    if (!isSuccess(res)) throw new Error(`POST ${path}: ${statusMessage(res)}`);
    return res.body;
  }

  httpOk(port: number, path: string): Promise<boolean> {
    return probe(http.get({ host: '127.0.0.1', port, path, timeout: 2000, agent: false }));
  }

  /** Components' secure ports serve self-signed certificates; health paths need no credentials. */
  httpsOk(port: number, path: string): Promise<boolean> {
    return probe(https.get({ host: '127.0.0.1', port, path, timeout: 2000, agent: false, rejectUnauthorized: false }));
  }

  close(): void {
    this.client.close();
  }
}

function probe(req: http.ClientRequest): Promise<boolean> {
  return new Promise((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
