import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ServingResources } from './serving-props';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';

/*
 * Small validators and renderers shared by the serving constructs (internal). The env-name and Secret-reference
 * checks every workload shares are in security/ (env-name.ts, secret-reference.ts).
 */

import { requireQuantity } from '../internal/quantity';

export { requireQuantity };

/** The quantity in bytes (or cores), for comparisons. */
export function quantityValue(value: string): number {
  const m = /^[+]?([0-9.]+)([eE][-+]?[0-9]+)?([a-zA-Z]*)$/.exec(value);
  if (!m) return NaN;
  const base = Number(m[1] + (m[2] ?? ''));
  const suffixes: { [s: string]: number } = {
    '': 1,
    'n': 1e-9,
    'u': 1e-6,
    'm': 1e-3,
    'k': 1e3,
    'M': 1e6,
    'G': 1e9,
    'T': 1e12,
    'P': 1e15,
    'E': 1e18,
    'Ki': 2 ** 10,
    'Mi': 2 ** 20,
    'Gi': 2 ** 30,
    'Ti': 2 ** 40,
    'Pi': 2 ** 50,
    'Ei': 2 ** 60,
  };
  return base * (suffixes[m[3]] ?? NaN);
}

/** `d` in seconds; throws unless it is a whole number of seconds from `min` to `max`. */
export function requireSeconds(scope: IConstruct, prop: string, d: Duration, min: number, max: number): number {
  const ms = d.toMilliseconds();
  if (!Number.isInteger(ms / 1000) || ms / 1000 < min || ms / 1000 > max) {
    throw invalidProp(scope, prop, d.toHumanString(), `a whole number of seconds from ${min} to ${max}`);
  }
  return ms / 1000;
}

/** Validates a ServingResources value. */
export function validateResources(scope: IConstruct, prop: string, r: ServingResources | undefined): void {
  requireQuantity(scope, `${prop}.cpu`, r?.cpu);
  requireQuantity(scope, `${prop}.cpuLimit`, r?.cpuLimit);
  requireQuantity(scope, `${prop}.memory`, r?.memory);
  requireQuantity(scope, `${prop}.ephemeralStorage`, r?.ephemeralStorage);
  for (const [p, v] of [['cpu', r?.cpu], ['cpuLimit', r?.cpuLimit], ['memory', r?.memory]] as const) {
    if (v !== undefined && !(quantityValue(v) > 0)) throw invalidProp(scope, `${prop}.${p}`, v, 'a positive quantity');
  }
  if (r?.cpuLimit !== undefined && r.cpu !== undefined && quantityValue(r.cpuLimit) < quantityValue(r.cpu)) {
    throw new ValidationError(scope, `${prop}.cpuLimit`, `${r.cpuLimit} is below the CPU request ${r.cpu}; the apiserver rejects a limit below its request`);
  }
}

/** Defaults for the fields of ServingResources a user leaves unset. */
export interface ResourceDefaults {
  readonly cpu: string;
  readonly memory: string;
  readonly ephemeralStorage?: string;
}

/**
 * The container resources for `r`, unset fields from `defaults`: CPU and memory requests and limits (memory
 * limit = request; CPU limit = `cpuLimit`, else the request), the ephemeral-storage request when known. Without
 * defaults, only what `r` gives (undefined when it gives nothing).
 */
export function renderResources(r: ServingResources | undefined, defaults?: ResourceDefaults): k8s.ResourceRequirements | undefined {
  const ephemeral = r?.ephemeralStorage ?? defaults?.ephemeralStorage;
  // A CPU limit of the user's below a default request lowers the request to it (the limit is never overridden).
  const cpu = r?.cpu ?? (defaults?.cpu !== undefined && r?.cpuLimit !== undefined && quantityValue(r.cpuLimit) < quantityValue(defaults.cpu)
    ? r.cpuLimit : defaults?.cpu);
  const memory = r?.memory ?? defaults?.memory;
  const cpuLimit = r?.cpuLimit ?? cpu;
  const requests: { [k: string]: k8s.Quantity } = {};
  const limits: { [k: string]: k8s.Quantity } = {};
  if (cpu) requests.cpu = k8s.Quantity.fromString(cpu);
  if (cpuLimit) limits.cpu = k8s.Quantity.fromString(cpuLimit);
  if (memory) requests.memory = limits.memory = k8s.Quantity.fromString(memory);
  if (ephemeral) requests['ephemeral-storage'] = k8s.Quantity.fromString(ephemeral);
  if (!Object.keys(requests).length && !Object.keys(limits).length) return undefined;
  return { requests: Object.keys(requests).length ? requests : undefined, limits: Object.keys(limits).length ? limits : undefined };
}

/** `bytes` as a quantity in Mi (Gi when whole). */
export function bytesQuantity(bytes: number): string {
  const mi = Math.ceil(bytes / 2 ** 20);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}
