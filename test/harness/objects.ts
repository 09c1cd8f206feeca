/**
 * Turning charts, apps, YAML text and object lists into plain Kubernetes
 * objects, and naming them in messages.
 */
import { parseAllDocuments } from 'yaml';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Anything with cdk8s Chart's `toJson()` (no import of cdk8s needed). */
export interface ChartLike {
  toJson(): unknown[];
}

/** Anything with cdk8s App's `charts`. */
export interface AppLike {
  readonly charts: readonly ChartLike[];
}

/** A chart, an app, synthesized YAML (multi-document), or a list of objects. */
export type ObjectSource = ChartLike | AppLike | string | readonly unknown[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isChartLike(value: unknown): value is ChartLike {
  return isRecord(value) && typeof value.toJson === 'function';
}

function isAppLike(value: unknown): value is AppLike {
  return isRecord(value) && Array.isArray(value.charts);
}

export function parseYaml(text: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) {
      out.push(value);
    }
  }
  return out;
}

/** Flattens `kind: List` and checks that every item looks like a Kubernetes object. */
function normalise(items: readonly unknown[]): KubeObject[] {
  const out: KubeObject[] = [];
  items.forEach((item, index) => {
    if (isRecord(item) && typeof item.kind === 'string' && item.kind.endsWith('List') && Array.isArray(item.items)) {
      out.push(...normalise(item.items as unknown[]));
      return;
    }
    if (!isRecord(item) || typeof item.apiVersion !== 'string' || typeof item.kind !== 'string'
      || !isRecord(item.metadata) || typeof item.metadata.name !== 'string' || item.metadata.name === '') {
      throw new Error(`object #${index} is not a Kubernetes object with apiVersion, kind and metadata.name: `
        + JSON.stringify(item).slice(0, 300));
    }
    out.push(item as KubeObject);
  });
  return out;
}

/** Plain objects from a chart, an app, YAML text or an object list (deep-copied). */
export function toObjects(source: ObjectSource): KubeObject[] {
  let items: unknown[];
  if (typeof source === 'string') {
    items = parseYaml(source);
  } else if (isChartLike(source)) {
    items = source.toJson();
  } else if (isAppLike(source)) {
    items = source.charts.flatMap((c) => c.toJson());
  } else if (Array.isArray(source)) {
    items = [...(source as readonly unknown[])];
  } else {
    throw new Error('expected a cdk8s Chart, an App, YAML text or an array of objects');
  }
  return normalise(JSON.parse(JSON.stringify(items)) as unknown[]);
}

/** `Kind namespace/name` or `Kind name`, for messages. */
export function describeObject(obj: KubeObject, namespace?: string): string {
  const ns = namespace ?? obj.metadata.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name} (${obj.apiVersion})`;
}

/** JSON with sorted keys: equal objects give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (isRecord(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    }
    return v;
  });
}

export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
