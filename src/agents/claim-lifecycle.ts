// The lifecycle of a SandboxClaim as the L1 takes it: the claim's fields over the AgentSandbox's defaults, validated.
// Internal (not exported from the package).
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SandboxLifecycle, SandboxShutdownPolicy } from './sandbox-lifecycle';
import * as sandbox from '../imports/agent-sandbox';
import { invalidProp } from '../internal/errors';

const INT32_MAX = 2 ** 31 - 1;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-](\d{2}):(\d{2}))$/;
const TIME_EXAMPLE = 'an RFC 3339 date-time with an offset, e.g. "2027-01-31T18:00:00Z", with at most millisecond precision';

/**
 * The lifecycle as the L1 takes it, `own` fields (named `prefix` + field in errors) over `defaults`; undefined when
 * neither sets anything. The policy is always written out when there is a lifecycle (the CRD would default it to
 * Retain), so the manifest says what happens.
 */
export function renderLifecycle(scope: IConstruct | string, prefix: string, defaults: SandboxLifecycle,
  own: SandboxLifecycle): sandbox.SandboxClaimSpecLifecycle | undefined {
  // The claim's own field, else the sandbox's default (validated when the AgentSandbox was made); JavaScript's null
  // counts as unset, as in checkProps.
  const pick = <K extends keyof SandboxLifecycle>(key: K): [SandboxLifecycle[K], string] =>
    (own[key] !== undefined && own[key] !== null ? [own[key], prefix + key] : [defaults[key] ?? undefined, `lifecycle.${key}`]);
  const [ttl, ttlProp] = pick('ttlAfterFinished');
  const [time, timeProp] = pick('shutdownTime');
  const [policy] = pick('shutdownPolicy');
  if ((ttl ?? time ?? policy) === undefined) return undefined;
  return {
    ttlSecondsAfterFinished: ttl !== undefined ? ttlSeconds(scope, ttlProp, ttl) : undefined,
    shutdownTime: time !== undefined ? shutdownInstant(scope, timeProp, time) : undefined,
    shutdownPolicy: (policy ?? SandboxShutdownPolicy.RETAIN).value as sandbox.SandboxClaimSpecLifecycleShutdownPolicy,
  };
}

/** Whole seconds from 0 to 2^31-1 (`ttlSecondsAfterFinished` is an int32 with minimum 0 in the v0.5.6 CRD). */
function ttlSeconds(scope: IConstruct | string, prop: string, ttl: Duration): number {
  const expected = `a whole number of seconds from 0 to ${INT32_MAX} (int32 ttlSecondsAfterFinished)`;
  let ms: number;
  try {
    ms = ttl.toMilliseconds();
  } catch {
    throw invalidProp(scope, prop, ttl.toString(), expected);
  }
  const seconds = ms / 1000;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > INT32_MAX) throw invalidProp(scope, prop, `${seconds} seconds`, expected);
  return seconds;
}

/** An RFC 3339 date-time with an offset and a real calendar date (Go's time.RFC3339, which metav1.Time parses). */
function shutdownInstant(scope: IConstruct | string, prop: string, value: string): Date {
  const m = RFC3339.exec(value);
  if (!m) throw invalidProp(scope, prop, value, TIME_EXAMPLE);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  const offsetOk = m[8] === 'Z' || (Number(m[9]) < 24 && Number(m[10]) < 60);
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59 || !offsetOk) {
    throw invalidProp(scope, prop, value, `a real date and time of day; ${TIME_EXAMPLE}`);
  }
  return new Date(value);
}
