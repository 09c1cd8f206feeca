// Checks an object against a Kubernetes release's OpenAPI definitions (../shared/k8s-schemas/<version>), for API
// versions no test apiserver serves (1.35 scheduling.k8s.io/v1alpha1, 1.36 v1alpha2): unknown fields, missing
// required fields and wrong scalar types are reported with their path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_DIR } from '../harness';

type Schema = { [key: string]: any };

const cache = new Map<string, Record<string, Schema>>();

function definitions(version: string): Record<string, Schema> {
  let defs = cache.get(version);
  if (!defs) {
    defs = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'k8s-schemas', version, '_definitions.json'), 'utf8')).definitions as Record<string, Schema>;
    cache.set(version, defs);
  }
  return defs;
}

/** The definition whose `x-kubernetes-group-version-kind` is the object's apiVersion and kind. */
export function definitionFor(version: string, apiVersion: string, kind: string): string {
  const [group, ver] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const entry = Object.entries(definitions(version)).find(([, d]) => (d['x-kubernetes-group-version-kind'] ?? [])
    .some((g: any) => g.group === group && g.version === ver && g.kind === kind));
  if (!entry) throw new Error(`Kubernetes ${version} has no ${kind} in ${apiVersion}`);
  return entry[0];
}

/** Every problem of `value` against definition `name` of Kubernetes `version` (empty: it conforms). */
export function schemaProblems(version: string, name: string, value: unknown): string[] {
  const defs = definitions(version);
  const walk = (schema: Schema, v: unknown, at: string): string[] => {
    if (schema.$ref) return walk(defs[String(schema.$ref).replace('#/definitions/', '')], v, at);
    if (v === undefined || v === null) return [];
    if (schema.type === 'integer') return Number.isInteger(v) ? [] : [`${at}: expected an integer, got ${JSON.stringify(v)}`];
    if (schema.type === 'string') return typeof v === 'string' ? [] : [`${at}: expected a string, got ${JSON.stringify(v)}`];
    if (schema.type === 'boolean') return typeof v === 'boolean' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(v)}`];
    if (schema.type === 'array') {
      if (!Array.isArray(v)) return [`${at}: expected an array`];
      return v.flatMap((item, i) => walk(schema.items ?? {}, item, `${at}[${i}]`));
    }
    if (schema.properties || schema.type === 'object') {
      if (typeof v !== 'object' || Array.isArray(v)) return [`${at}: expected an object`];
      const obj = v as Record<string, unknown>;
      const props: Record<string, Schema> = schema.properties ?? {};
      const problems = (schema.required ?? []).filter((r: string) => obj[r] === undefined).map((r: string) => `${at}.${r}: required`);
      for (const [key, child] of Object.entries(obj)) {
        if (props[key]) problems.push(...walk(props[key], child, `${at}.${key}`));
        else if (schema.additionalProperties) problems.push(...walk(schema.additionalProperties, child, `${at}.${key}`));
        else if (schema.properties) problems.push(`${at}.${key}: unknown field`);
      }
      return problems;
    }
    return [];
  };
  return walk({ $ref: `#/definitions/${name}` }, value, '');
}
