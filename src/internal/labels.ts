/** The value of app.kubernetes.io/managed-by on everything we emit. */
export const MANAGED_BY = 'cdk8s-ai';
/** The value of app.kubernetes.io/part-of unless a construct says otherwise. */
export const PART_OF = 'cdk8s-ai';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_VERSION = 'app.kubernetes.io/version';

export interface WorkloadIdentity {
  /** The application, e.g. the model server or `trainer` (app.kubernetes.io/name). */
  readonly name: string;
  /** The unique resource name of the construct (app.kubernetes.io/instance). */
  readonly instance: string;
  /** The role inside the construct, e.g. `server`, `endpoint-picker` (app.kubernetes.io/component). */
  readonly component: string;
  /** app.kubernetes.io/version, when known. */
  readonly version?: string;
  /** app.kubernetes.io/part-of. */
  readonly partOf?: string;
}

/**
 * Labels that select exactly one construct's pods of one component. The instance is the construct's unique name,
 * so two constructs never select each other's pods.
 */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return { [LABEL_INSTANCE]: id.instance, [LABEL_COMPONENT]: id.component };
}

/** The standard app.kubernetes.io/* labels for every object of a construct. */
export function standardLabels(id: WorkloadIdentity): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_NAME]: labelValue(id.name),
    ...selectorLabels(id),
    [LABEL_PART_OF]: labelValue(id.partOf ?? PART_OF),
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  if (id.version) labels[LABEL_VERSION] = labelValue(id.version);
  return labels;
}

/** A valid label value: at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned;
}
