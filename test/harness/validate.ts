/**
 * Validates synthesized objects against a real kube-apiserver:
 *
 *  1. CRDs in the set are applied for real and waited for;
 *  2. namespaces are created for real: the set's own Namespace objects, plus
 *     every namespace a namespaced object uses, labelled
 *     `pod-security.kubernetes.io/enforce=restricted` (and `warn`, so pod
 *     templates of Deployments/Jobs are checked too) unless the set's own
 *     Namespace says otherwise;
 *  3. PriorityClasses and RuntimeClasses are applied for real (admission
 *     needs them to exist);
 *  4. every other object is sent as server-side apply with `dryRun=All`,
 *     `fieldValidation=Strict`, `force=true`.
 *
 * Any non-2xx response, any server warning (PodSecurity `warn`, deprecated
 * API, ...), or any field sent but missing from the response (disabled feature
 * gate, CRD pruning) is a failure naming kind, namespace, name and the
 * server's message.
 */
import { createHash } from 'node:crypto';
import { isCrd, waitForCrds } from './crds';
import { ApiResource, Discovery } from './discovery';
import { droppedFields } from './dropped-fields';
import { EnvironmentName } from './environments';
import { APPLY_CONTENT, KubeClient, KubeResponse, isSuccess, statusMessage } from './kube-client';
import { KubeObject, ObjectSource, canonicalJson, describeObject, toObjects } from './objects';
import { EnvironmentConnection, connection } from './state';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const POD_SECURITY_WARN_LABEL = 'pod-security.kubernetes.io/warn';

const FIELD_MANAGER = 'cdk8s-ai-test';
const DRY_RUN_QUERY = `dryRun=All&fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;

/**
 * The field manager of a real apply. Server-side apply removes the fields a
 * manager owned and no longer sends, so one manager for every set would let a
 * later set strip the labels an earlier set put on a shared Namespace (a tenant's
 * `team` or image-admission opt-in label, removed by a set that only uses the
 * namespace). Each distinct Namespace gets its own manager, derived from its
 * content: labels of earlier sets stay (owned by their managers), a label two
 * sets disagree on goes to the later one (force=true), and re-applying the same
 * content stays a no-op. Other real objects (CRDs, PriorityClasses,
 * RuntimeClasses) keep one manager, so a changed object replaces the old one.
 */
export function fieldManagerFor(obj: KubeObject): string {
  if (obj.apiVersion === 'v1' && obj.kind === 'Namespace') {
    return `${FIELD_MANAGER}-ns-${createHash('sha256').update(canonicalJson(obj)).digest('hex').slice(0, 16)}`;
  }
  return FIELD_MANAGER;
}

function realQuery(obj: KubeObject): string {
  return `fieldManager=${encodeURIComponent(fieldManagerFor(obj))}&force=true&fieldValidation=Strict`;
}

export interface ValidateOptions {
  /** Environment to validate against (default `default`, i.e. Kubernetes 1.34). */
  readonly environment?: EnvironmentName;
  /** Namespace for namespaced objects without `metadata.namespace` (default `default`). */
  readonly defaultNamespace?: string;
  /** Pod Security level for namespaces whose Namespace object does not set one (default `restricted`). */
  readonly podSecurity?: PodSecurityLevel;
  /** Server warnings that do not fail validation (substring or RegExp). By default every warning fails. */
  readonly allowWarnings?: ReadonlyArray<RegExp | string>;
  /** Dropped-field paths (like `.spec.foo`) that do not fail validation (substring or RegExp). */
  readonly allowDropped?: ReadonlyArray<RegExp | string>;
}

export interface ObjectResult {
  /** The object as sent. */
  readonly object: KubeObject;
  /** `Kind namespace/name (apiVersion)`. */
  readonly description: string;
  /** `applied` for objects created for real (Namespace, CRD, PriorityClass, RuntimeClass). */
  readonly mode: 'dry-run' | 'applied';
  /** The object as the server returned it (defaults filled in). */
  readonly response: KubeObject;
  readonly warnings: readonly string[];
}

export interface ValidationFailure {
  readonly object: KubeObject;
  readonly description: string;
  readonly message: string;
}

export class ApiValidationError extends Error {
  constructor(readonly environment: EnvironmentName, readonly failures: readonly ValidationFailure[], total: number) {
    super(`${failures.length} of ${total} object(s) failed API validation in environment '${environment}':\n`
      + failures.map((f) => `- ${f.description}: ${f.message}`).join('\n'));
    this.name = 'ApiValidationError';
  }
}

/** Objects created for real because other objects need them to exist for admission. */
function isAppliedForReal(obj: KubeObject): boolean {
  return isCrd(obj)
    || (obj.apiVersion === 'v1' && obj.kind === 'Namespace')
    || (obj.apiVersion === 'scheduling.k8s.io/v1' && obj.kind === 'PriorityClass')
    || (obj.apiVersion === 'node.k8s.io/v1' && obj.kind === 'RuntimeClass');
}

function matchesAny(text: string, patterns: ReadonlyArray<RegExp | string> | undefined): boolean {
  return (patterns ?? []).some((p) => (typeof p === 'string' ? text.includes(p) : p.test(text)));
}

function gvPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function objectPath(obj: KubeObject, res: ApiResource, namespace: string | undefined): string {
  const ns = res.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${gvPath(obj.apiVersion)}${ns}/${res.resource}/${encodeURIComponent(String(obj.metadata.name))}`;
}

type Outcome = { readonly ok: true; readonly result: ObjectResult } | { readonly ok: false; readonly failure: ValidationFailure };

/** Turns a server response into a result or a failure, applying the dropped-field and warning rules. */
function evaluate(sent: KubeObject, description: string, mode: ObjectResult['mode'], res: KubeResponse, options: ValidateOptions): Outcome {
  const fail = (message: string): Outcome => ({ ok: false, failure: { object: sent, description, message } });
  if (!isSuccess(res)) {
    return fail(statusMessage(res));
  }
  const warnings = res.warnings.filter((w) => !matchesAny(w, options.allowWarnings));
  if (warnings.length > 0) {
    return fail(`server warning(s): ${warnings.join(' | ')}`);
  }
  const dropped = droppedFields(sent, res.body).filter((p) => !matchesAny(p, options.allowDropped));
  if (dropped.length > 0) {
    return fail(`the server dropped field(s) ${dropped.join(', ')} `
      + '(disabled feature gate or API field, or pruned by the CRD schema)');
  }
  return { ok: true, result: { object: sent, description, mode, response: res.body as KubeObject, warnings: res.warnings } };
}

function podSecurityNamespace(name: string, level: PodSecurityLevel, own?: KubeObject): KubeObject {
  const base: KubeObject = own ? (JSON.parse(JSON.stringify(own)) as KubeObject) : { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  const labels = { ...(base.metadata.labels ?? {}) };
  labels[POD_SECURITY_ENFORCE_LABEL] ??= level;
  // `warn` makes PodSecurity check pod templates of workload objects (Deployment, Job, ...) too.
  labels[POD_SECURITY_WARN_LABEL] ??= labels[POD_SECURITY_ENFORCE_LABEL];
  base.metadata = { ...base.metadata, labels };
  return base;
}

const IMMUTABLE_RE = /immutable|may not be changed|field is immutable/i;

/** Per-environment state of one test worker: client, discovery, real objects applied so far. */
export class EnvironmentSession {
  readonly client: KubeClient;
  readonly discovery: Discovery;
  private readonly applied = new Map<string, { readonly json: string; readonly response: Promise<KubeResponse> }>();
  private readonly dryRuns = new Map<string, Promise<KubeResponse>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private realChain: Promise<unknown> = Promise.resolve();
  private epoch = 0;
  /** Requests actually sent for dry-runs (cache misses), for reports. */
  dryRunRequests = 0;

  constructor(readonly conn: EnvironmentConnection) {
    this.client = KubeClient.fromCaFile(conn.port, conn.token, conn.caFile);
    this.discovery = new Discovery(this.client);
  }

  async resource(obj: KubeObject): Promise<ApiResource> {
    const res = await this.discovery.lookup(obj.apiVersion, obj.kind);
    if (!res) {
      throw new Error(`the server does not serve kind ${obj.kind} in ${obj.apiVersion} in environment '${this.conn.name}' `
        + `(Kubernetes ${this.conn.kubernetesVersion}): API version disabled (--runtime-config/feature gate), or CRD not installed`);
    }
    return res;
  }

  /**
   * Applies an object for real (serialised with all other real applies, after
   * the dry-runs in flight have finished). Re-applying the same content is a
   * no-op. An immutable-field conflict on a PriorityClass/RuntimeClass is
   * resolved by deleting and re-creating it.
   */
  applyReal(obj: KubeObject, path: string): Promise<KubeResponse> {
    const key = path;
    const json = canonicalJson(obj);
    const previous = this.applied.get(key);
    if (previous?.json === json) {
      return previous.response;
    }
    // Dry-runs issued before this call see the old state: let them finish first.
    // Dry-runs issued after it wait for it (they chain on realChain) under a new cache epoch.
    const before = [...this.inflight];
    this.epoch++;
    this.dryRuns.clear();
    const response = this.realChain.then(async () => {
      await Promise.allSettled(before);
      let res = await this.client.request('PATCH', `${path}?${realQuery(obj)}`, { body: obj, contentType: APPLY_CONTENT });
      if (res.status === 422 && IMMUTABLE_RE.test(statusMessage(res)) && obj.kind !== 'Namespace' && !isCrd(obj)) {
        await this.client.request('DELETE', path);
        res = await this.client.request('PATCH', `${path}?${realQuery(obj)}`, { body: obj, contentType: APPLY_CONTENT });
      }
      if (!isSuccess(res)) {
        this.applied.delete(key); // retry next time
      }
      return res;
    });
    this.applied.set(key, { json, response });
    this.realChain = response.catch(() => undefined);
    return response;
  }

  /** Server-side apply dry-run; identical objects (same real state) share one request. */
  dryRun(obj: KubeObject, path: string): Promise<KubeResponse> {
    const key = `${this.epoch}|${path}|${canonicalJson(obj)}`;
    const cached = this.dryRuns.get(key);
    if (cached) {
      return cached;
    }
    const response = this.realChain.then(() => {
      this.dryRunRequests++;
      return this.client.request('PATCH', `${path}?${DRY_RUN_QUERY}`, { body: obj, contentType: APPLY_CONTENT });
    });
    this.dryRuns.set(key, response);
    this.inflight.add(response);
    void response.finally(() => this.inflight.delete(response)).catch(() => undefined);
    return response;
  }
}

const sessions = new Map<EnvironmentName, EnvironmentSession>();

/** The (per test worker) session for an environment; throws when that environment is not running. */
export function sessionFor(environment: EnvironmentName = 'default'): EnvironmentSession {
  let session = sessions.get(environment);
  if (!session) {
    session = new EnvironmentSession(connection(environment));
    sessions.set(environment, session);
  }
  return session;
}

export interface SetOutcome {
  readonly results: ObjectResult[];
  readonly failures: ValidationFailure[];
}

async function settle(p: Promise<Outcome>, sent: KubeObject, description: string): Promise<Outcome> {
  try {
    return await p;
  } catch (err) {
    return { ok: false, failure: { object: sent, description, message: (err as Error).message } };
  }
}

/** Validates a set of objects without throwing; see the module comment for the steps. */
export async function validateSet(session: EnvironmentSession, objects: readonly KubeObject[], options: ValidateOptions = {}): Promise<SetOutcome> {
  const results: ObjectResult[] = [];
  const failures: ValidationFailure[] = [];
  const record = (o: Outcome): void => {
    if (o.ok) {
      results.push(o.result);
    } else {
      failures.push(o.failure);
    }
  };
  const defaultNs = options.defaultNamespace ?? 'default';
  const level = options.podSecurity ?? 'restricted';

  // 1. CRDs, for real, then wait until served.
  const crds = objects.filter(isCrd);
  const crdOutcomes = await Promise.all(crds.map(async (crd) => {
    const description = describeObject(crd);
    return settle((async () => {
      const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(String(crd.metadata.name))}`;
      const outcome = evaluate(crd, description, 'applied', await session.applyReal(crd, path), options);
      if (outcome.ok) {
        await waitForCrds(session.client, session.discovery, [crd], 60_000);
      }
      return outcome;
    })(), crd, description);
  }));
  crdOutcomes.forEach(record);

  // 2. Resolve the REST resource of everything else.
  const rest = objects.filter((o) => !isCrd(o));
  const resolved = await Promise.all(rest.map(async (obj) => {
    try {
      const res = await session.resource(obj);
      return { obj, res, namespace: res.namespaced ? obj.metadata.namespace ?? defaultNs : undefined };
    } catch (err) {
      record({ ok: false, failure: { object: obj, description: describeObject(obj), message: (err as Error).message } });
      return undefined;
    }
  }));
  const items = resolved.flatMap((r) => (r ? [r] : []));

  // 3. Namespaces, for real: the set's own, then every other namespace in use.
  const ownNamespaces = new Map(items.filter((i) => i.obj.apiVersion === 'v1' && i.obj.kind === 'Namespace')
    .map((i) => [String(i.obj.metadata.name), i.obj]));
  const used = new Set(items.flatMap((i) => (i.namespace ? [i.namespace] : [])));
  const nsNames = [...new Set([...ownNamespaces.keys(), ...used])].sort();
  const failedNamespaces = new Set<string>();
  await Promise.all(nsNames.map(async (name) => {
    const own = ownNamespaces.get(name);
    const sent = podSecurityNamespace(name, level, own);
    const description = describeObject(sent);
    const outcome = await settle((async () => {
      const res = await session.applyReal(sent, `/api/v1/namespaces/${encodeURIComponent(name)}`);
      return evaluate(own ?? sent, description, 'applied', res, options);
    })(), own ?? sent, description);
    if (!outcome.ok) {
      failedNamespaces.add(name);
    }
    if (own || !outcome.ok) {
      record(outcome);
    }
  }));

  // 4. Other admission prerequisites, for real.
  const prerequisites = items.filter((i) => isAppliedForReal(i.obj) && i.obj.kind !== 'Namespace');
  (await Promise.all(prerequisites.map(({ obj, res, namespace }) => {
    const description = describeObject(obj, namespace);
    return settle((async () => evaluate(obj, description, 'applied',
      await session.applyReal(obj, objectPath(obj, res, namespace)), options))(), obj, description);
  }))).forEach(record);

  // 5. Everything else: dry-run, concurrently (the client limits requests in flight).
  const dryRunItems = items.filter((i) => !isAppliedForReal(i.obj));
  (await Promise.all(dryRunItems.map(({ obj, res, namespace }) => {
    const description = describeObject(obj, namespace);
    if (namespace && failedNamespaces.has(namespace)) {
      return Promise.resolve<Outcome>({ ok: false, failure: { object: obj, description, message: `skipped: namespace ${namespace} could not be created` } });
    }
    return settle((async () => evaluate(obj, description, 'dry-run',
      await session.dryRun(obj, objectPath(obj, res, namespace)), options))(), obj, description);
  }))).forEach(record);

  return { results, failures };
}

/**
 * Validates objects (a chart, an app, YAML or an object list) against the
 * environment; throws an {@link ApiValidationError} listing every failure.
 */
export async function validateObjects(source: ObjectSource, options: ValidateOptions = {}): Promise<ObjectResult[]> {
  const environment = options.environment ?? 'default';
  const objects = toObjects(source);
  const { results, failures } = await validateSet(sessionFor(environment), objects, options);
  if (failures.length > 0) {
    throw new ApiValidationError(environment, failures, objects.length);
  }
  return results;
}

/** {@link validateObjects} for a cdk8s Chart (default environment unless told otherwise). */
export function validateChart(chart: ObjectSource, options: ValidateOptions = {}): Promise<ObjectResult[]> {
  return validateObjects(chart, options);
}

/**
 * Applies objects for real (no dry-run), e.g. a DeviceClass a later test
 * refers to. Same failure rules as validation.
 */
export async function applyObjects(source: ObjectSource, options: ValidateOptions = {}): Promise<ObjectResult[]> {
  const environment = options.environment ?? 'default';
  const session = sessionFor(environment);
  const objects = toObjects(source);
  const outcomes = await Promise.all(objects.map(async (obj) => {
    const description = describeObject(obj);
    return settle((async () => {
      const res = await session.resource(obj);
      const namespace = res.namespaced ? obj.metadata.namespace ?? options.defaultNamespace ?? 'default' : undefined;
      return evaluate(obj, describeObject(obj, namespace), 'applied', await session.applyReal(obj, objectPath(obj, res, namespace)), options);
    })(), obj, description);
  }));
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.failure]));
  if (failures.length > 0) {
    throw new ApiValidationError(environment, failures, objects.length);
  }
  return outcomes.flatMap((o) => (o.ok ? [o.result] : []));
}
