/**
 * Property checks: "for N generated valid prop sets, synth succeeds and the
 * API server accepts everything".
 *
 * Efficient by construction: all values are generated and synthesized first
 * (fast-check shrinks a synth failure as usual), then the objects of every
 * run are validated concurrently through one keep-alive connection pool, with
 * identical objects (common across runs) sent only once and discovery cached.
 * When the server rejects a run, fast-check replays that run (same seed, its
 * path) against the server and shrinks it to a minimal counterexample.
 */
import * as fc from 'fast-check';
import { Limiter } from './kube-client';
import { KubeObject, ObjectSource, toObjects } from './objects';
import { ApiValidationError, ValidateOptions, ValidationFailure, sessionFor, validateSet } from './validate';

export interface CheckPropertyOptions extends ValidateOptions {
  /** Number of generated values (default 200). */
  readonly numRuns?: number;
  /** fast-check seed (default: `CDK8S_AI_PROPERTY_SEED` when set, to replay a failure CI printed; else random). */
  readonly seed?: number;
  /** Runs validated at the same time (default 4; requests are limited separately). */
  readonly concurrency?: number;
  /** Only check that synth succeeds; no API server needed. */
  readonly synthOnly?: boolean;
}

export interface PropertyReport {
  readonly numRuns: number;
  readonly seed: number;
  /** Objects across all runs. */
  readonly objects: number;
  /** Dry-run requests actually sent (identical objects are sent once). */
  readonly dryRunRequests: number;
  readonly synthMs: number;
  readonly validateMs: number;
}

interface Run<T> {
  readonly value: T;
  readonly objects: KubeObject[];
}

function randomSeed(): number {
  const replay = process.env.CDK8S_AI_PROPERTY_SEED;
  return replay ? Number(replay) : Math.floor(Math.random() * 0x7fffffff);
}

/**
 * Checks that `build(value)` synthesizes and that the API server accepts every
 * resulting object, for `numRuns` values of `arbitrary`. `build` returns a
 * chart, an app, YAML or objects; create a fresh cdk8s App per call.
 */
export async function checkProperty<T>(
  arbitrary: fc.Arbitrary<T>,
  build: (value: T) => ObjectSource,
  options: CheckPropertyOptions = {},
): Promise<PropertyReport> {
  const numRuns = options.numRuns ?? 200;
  const seed = options.seed ?? randomSeed();
  const environment = options.environment ?? 'default';

  // Phase 1: generate + synthesize (fast-check shrinks synth errors).
  const t0 = Date.now();
  const runs: Array<Run<T>> = [];
  fc.assert(fc.property(arbitrary, (value) => {
    runs.push({ value, objects: toObjects(build(value)) });
  }), { seed, numRuns, includeErrorInReport: true });
  const synthMs = Date.now() - t0;
  const objects = runs.reduce((n, r) => n + r.objects.length, 0);
  if (options.synthOnly) {
    return { numRuns, seed, objects, dryRunRequests: 0, synthMs, validateMs: 0 };
  }

  // Phase 2: validate all runs concurrently.
  const session = sessionFor(environment);
  const requestsBefore = session.dryRunRequests;
  const t1 = Date.now();
  const limiter = new Limiter(options.concurrency ?? 4);
  const failures = new Map<number, readonly ValidationFailure[]>();
  await Promise.all(runs.map((run, index) => limiter.run(async () => {
    const outcome = await validateSet(session, run.objects, options);
    if (outcome.failures.length > 0) {
      failures.set(index, outcome.failures);
    }
  })));
  const validateMs = Date.now() - t1;
  const report = { numRuns, seed, objects, dryRunRequests: session.dryRunRequests - requestsBefore, synthMs, validateMs };
  if (failures.size === 0) {
    return report;
  }

  // Phase 3: replay the first failing run against the server and shrink it.
  const first = Math.min(...failures.keys());
  const details = await fc.check(fc.asyncProperty(arbitrary, async (value) => {
    const objs = toObjects(build(value));
    const outcome = await validateSet(session, objs, options);
    if (outcome.failures.length > 0) {
      throw new ApiValidationError(environment, outcome.failures, objs.length);
    }
  }), { seed, numRuns, path: String(first), includeErrorInReport: true });
  if (details.failed) {
    throw new Error(`checkProperty: ${failures.size} of ${numRuns} run(s) failed API validation `
      + `(first: run ${first}); shrunk with seed ${seed}, path ${JSON.stringify(details.counterexamplePath)}:\n`
      + fc.defaultReportMessage(details));
  }
  const firstFailures = failures.get(first) ?? [];
  throw new Error(`checkProperty: ${failures.size} of ${numRuns} run(s) failed API validation (seed ${seed}); `
    + `run ${first} did not fail again on replay. Value: ${fc.stringify(runs[first].value)}\n`
    + new ApiValidationError(environment, firstFailures, runs[first].objects.length).message);
}
