/**
 * The names JobSet derives from a JobSet's name, with the limits its admission webhook enforces on them, so a name
 * that the webhook would refuse is refused (or, when derived, shortened) at synth instead. Internal.
 *
 * Source: kubernetes-sigs/jobset v0.12.0 `pkg/webhooks/jobset_webhook.go` (`ValidateCreate` → `validate`):
 * - the longest Job name, `placement.GenJobName` = `<jobset>-<replicatedJob>-<jobIndex>`, must be a DNS-1035 label
 *   (at most 63 characters);
 * - for Indexed Jobs, the longest pod name, `placement.GenPodName` = `<jobset>-<replicatedJob>-<jobIndex>-<podIndex>`
 *   plus a 5-character random suffix (`"-abcde"`), must be a DNS-1035 label;
 * - with `spec.coordinator` set, `validateCoordinatorLabelValue`: `controllers.CoordinatorEndpoint` =
 *   `<jobset>-<replicatedJob>-<jobIndex>-<podIndex>.<subdomain>` (`pkg/controllers/jobset_controller.go`; the subdomain
 *   defaults to the JobSet name, `GetSubdomain`) must be a valid label value (at most 63 characters).
 * Kubeflow Trainer v2.3.0 names the JobSet of a TrainJob after the TrainJob and uses the TrainJob name as the
 * subdomain (`pkg/runtime/framework/plugins/torch/torch.go`, `PET_MASTER_ADDR`), so the same limits apply to it.
 */
import { IConstruct } from 'constructs';
import { ValidationError, show } from '../internal/errors';
import { DNS_LABEL_MAX } from '../internal/names';

/** The upstream file the limits come from, for messages. */
export const JOBSET_WEBHOOK_SOURCE = 'JobSet v0.12.0 pkg/webhooks/jobset_webhook.go';
/** A label value's limit (k8s.io/apimachinery validation.IsValidLabelValue). */
const LABEL_VALUE_MAX = 63;
/** The random suffix the webhook adds to the longest pod name before checking it. */
const POD_NAME_SUFFIX = '-abcde';

/** A name JobSet derives from the JobSet name, and the webhook's limit on it. */
interface DerivedName {
  /** What the name is, for messages. */
  readonly what: string;
  /** Its shape, for messages. */
  readonly shape: string;
  /** The name for a given JobSet name. */
  readonly of: (jobSet: string) => string;
  /** How many times the JobSet name occurs in it. */
  readonly occurrences: number;
  readonly limit: number;
  /** The kind of limit, for messages. */
  readonly rule: string;
}

/** The derived names of a gang JobSet: one replicated job with one Indexed Job of `workers` pods, coordinator pod 0. */
function derivedNames(replicatedJob: string, workers: number): DerivedName[] {
  const lastIndex = workers - 1;
  return [
    {
      what: 'coordinator label value',
      shape: '<JobSet>-<replicatedJob>-0-0.<JobSet>',
      of: (n) => `${n}-${replicatedJob}-0-0.${n}`,
      occurrences: 2,
      limit: LABEL_VALUE_MAX,
      rule: 'a label value',
    },
    {
      what: 'name of the last worker pod, with the 5-character suffix the webhook allows for',
      shape: `<JobSet>-<replicatedJob>-0-<podIndex>${POD_NAME_SUFFIX}`,
      of: (n) => `${n}-${replicatedJob}-0-${lastIndex}${POD_NAME_SUFFIX}`,
      occurrences: 1,
      limit: DNS_LABEL_MAX,
      rule: 'a DNS-1035 label',
    },
    {
      what: 'Job name',
      shape: '<JobSet>-<replicatedJob>-0',
      of: (n) => `${n}-${replicatedJob}-0`,
      occurrences: 1,
      limit: DNS_LABEL_MAX,
      rule: 'a DNS-1035 label',
    },
  ];
}

/** The longest JobSet name whose derived names all pass the JobSet webhook. */
export function maxJobSetNameLength(replicatedJob: string, workers: number): number {
  return Math.min(...derivedNames(replicatedJob, workers).map((d) => Math.floor((d.limit - d.of('').length) / d.occurrences)));
}

/** What names the JobSet, for messages: the JobSet itself, or the TrainJob whose JobSet its controller names after it. */
export interface JobSetNaming {
  /** The kind of the named object, e.g. `JobSet` or `TrainJob`. */
  readonly kind: string;
  readonly replicatedJobName: string;
}

/**
 * Throws unless every name JobSet derives from `name` passes the JobSet v0.12.0 webhook. The message names the
 * derived name, its length, the limit and the longest name that would do.
 */
export function requireJobSetName(scope: IConstruct, prop: string, name: string, naming: JobSetNaming, workers: number): void {
  const max = maxJobSetNameLength(naming.replicatedJobName, workers);
  for (const derived of derivedNames(naming.replicatedJobName, workers)) {
    const value = derived.of(name);
    if (value.length <= derived.limit) continue;
    const owner = naming.kind === 'JobSet' ? 'JobSet' : `JobSet its controller names after the ${naming.kind}`;
    throw new ValidationError(scope, prop, `got ${show(name)} (${name.length} characters); the ${derived.what} of the ` +
      `${owner}, ${show(value)} (${derived.shape}), is ${value.length} characters, but must be ${derived.rule} of at most ` +
      `${derived.limit}, or the JobSet webhook refuses the JobSet (${JOBSET_WEBHOOK_SOURCE}); with ${workers} workers the ` +
      `name can have at most ${max} characters`);
  }
}
