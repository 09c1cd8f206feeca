import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as k8s from '../imports/k8s';

/** A pod spec found in an emitted object, with where it was found. */
export interface FoundPodSpec {
  /** The object that carries it. */
  readonly object: ApiObject;
  /** JSON path inside the object, e.g. `spec.template.spec`. */
  readonly path: string;
  /**
   * The pod spec: rendered JSON, or the typed `k8s.PodSpec` its construct declared (`declarePodSpecs`; the same field
   * names but `hostPid`/`hostIpc`, and Quantity / IntOrString objects instead of their values).
   */
  readonly spec: any;
  /** The labels of the enclosing pod template (or pod), when any. */
  readonly labels: Record<string, string>;
}

function isPodSpec(x: any): boolean {
  return x !== null && typeof x === 'object' && Array.isArray(x.containers) &&
    x.containers.length > 0 && x.containers.every((c: any) => c && typeof c === 'object' && typeof c.name === 'string');
}

type Found = (spec: any, path: string, labels: Record<string, string>) => void;

function walk(node: any, path: string, labels: Record<string, string>, found: Found): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((x, i) => walk(x, `${path}[${i}]`, labels, found));
    return;
  }
  const own = node.metadata && typeof node.metadata === 'object' && node.spec && isPodSpec(node.spec)
    ? { ...(node.metadata.labels ?? {}) } : labels;
  if (isPodSpec(node)) {
    found(node, path, own);
    return;
  }
  for (const [key, value] of Object.entries(node)) walk(value, path ? `${path}.${key}` : key, own, found);
}

/**
 * `group/kind` of objects whose schema holds no pod template anywhere: they are not rendered to look for pods (a
 * tenant looks twice per synth, and rendering every object of a fleet costs more than writing it).
 */
const KINDS_WITHOUT_PODS = new Set([
  '/ConfigMap', '/Secret', '/Service', '/ServiceAccount', '/Namespace', '/ResourceQuota', '/LimitRange', '/PersistentVolumeClaim',
  'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding', 'networking.k8s.io/NetworkPolicy', 'policy/PodDisruptionBudget',
  'autoscaling/HorizontalPodAutoscaler', 'resource.k8s.io/ResourceClaimTemplate', 'resource.k8s.io/ResourceClaim',
  'resource.k8s.io/DeviceClass', 'monitoring.coreos.com/PodMonitor', 'monitoring.coreos.com/ServiceMonitor',
  'monitoring.coreos.com/PrometheusRule', 'gateway.networking.k8s.io/HTTPRoute', 'gateway.networking.k8s.io/ReferenceGrant',
  'inference.networking.k8s.io/InferencePool', 'llm-d.ai/InferenceObjective', 'llm-d.ai/InferenceModelRewrite',
  'kueue.x-k8s.io/LocalQueue', 'kueue.x-k8s.io/ClusterQueue', 'kueue.x-k8s.io/ResourceFlavor', 'kueue.x-k8s.io/WorkloadPriorityClass',
]);

/** A pod spec an object carries, as its construct built it. */
export interface DeclaredPodSpec {
  /** JSON path inside the object, e.g. `spec.template.spec`. */
  readonly path: string;
  /** The typed pod spec the object renders there, without Lazy values. */
  readonly spec: k8s.PodSpec;
  /** The labels of the enclosing pod template. */
  readonly labels: Record<string, string>;
}

const DECLARED = new WeakMap<ApiObject, () => DeclaredPodSpec[]>();

/**
 * Declares every pod spec `object` carries: `render` returns the typed specs the object renders (the live objects,
 * so later changes show), and is called on every look. While the object has no JSON patch, `podSpecsBelow` reads
 * these instead of rendering the whole object (a tenant looks twice per synth). The declaration must list all pod
 * specs of the object.
 */
export function declarePodSpecs(object: ApiObject, render: () => DeclaredPodSpec[]): void {
  DECLARED.set(object, render);
}

function declaredSpecs(object: ApiObject): DeclaredPodSpec[] | undefined {
  const render = DECLARED.get(object);
  // ApiObject keeps its JSON patches in a private array; when it is not there as expected, render the object.
  const patches = (object as any).patches;
  return render && Array.isArray(patches) && patches.length === 0 ? render() : undefined;
}

/** The emitted objects below `scope` (inclusive), in tree order. */
export function apiObjectsBelow(scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/**
 * Every pod spec inside the emitted objects below `scope` (Pods, workload templates, CRD templates). A caller that
 * already walked the tree passes `objects` (from `apiObjectsBelow(scope)`) to save walking it again.
 */
export function podSpecsBelow(scope: IConstruct, objects: ApiObject[] = apiObjectsBelow(scope)): FoundPodSpec[] {
  const result: FoundPodSpec[] = [];
  for (const object of objects) {
    const slash = object.apiVersion.lastIndexOf('/');
    if (KINDS_WITHOUT_PODS.has(`${slash < 0 ? '' : object.apiVersion.slice(0, slash)}/${object.kind}`)) continue;
    const declared = declaredSpecs(object);
    if (declared) {
      for (const d of declared) result.push({ object, path: d.path, spec: d.spec, labels: { ...d.labels } });
      continue;
    }
    const json = object.toJson();
    const kind = json?.kind;
    if (kind === 'Pod' && isPodSpec(json.spec)) {
      result.push({ object, path: 'spec', spec: json.spec, labels: { ...(json.metadata?.labels ?? {}) } });
      continue;
    }
    walk(json?.spec, 'spec', {}, (spec, path, labels) => result.push({ object, path, spec, labels }));
  }
  return result;
}

/** Every container image of a pod spec (init containers included). */
export function imagesOf(spec: any): string[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: any) => c.image).filter((i: any) => typeof i === 'string');
}

/**
 * The Secrets a pod spec reads, sorted: `name/key` for a key (an env variable's secretKeyRef, a projected or secret
 * volume's item), `name` for the whole Secret (envFrom, a volume without items, an image pull secret).
 */
export function secretsOf(spec: any): string[] {
  const out = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref?.name) out.add(`${ref.name}/${ref.key}`);
    }
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.add(e.secretRef.name);
  }
  const fromVolume = (name: string | undefined, items: any[] | undefined) => {
    if (!name) return;
    if (items?.length) for (const i of items) out.add(`${name}/${i.key}`);
    else out.add(name);
  };
  for (const v of spec.volumes ?? []) {
    fromVolume(v.secret?.secretName, v.secret?.items);
    for (const src of v.projected?.sources ?? []) fromVolume(src.secret?.name, src.secret?.items);
  }
  for (const s of spec.imagePullSecrets ?? []) if (s.name) out.add(s.name);
  return [...out].sort();
}
