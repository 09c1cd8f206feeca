import { IConstruct } from 'constructs';
import { invalidProp, show, ValidationError } from '../internal/errors';
import { isLabelValue, isQualifiedName, LABEL_VALUE_TEXT } from '../internal/qualified-name';

/**
 * Synth-time cross-checks of the serving objects: rules that live in upstream webhooks or controllers, or that
 * only hold between objects, so the apiserver would accept the broken version.
 */


/** Labels every pod of a workload carries: its template labels plus those its controller injects. */
export interface PodLabelSet {
  readonly owner: string;
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
}

/**
 * InferencePool `selector.matchLabels`: 1 to 64 valid labels (CRD), selecting every pod of the service (each
 * pair is on its pods) and no pod of any other workload of the app in the namespace.
 */
export function checkPoolSelector(scope: IConstruct, selector: { [key: string]: string }, own: PodLabelSet, others: PodLabelSet[]): void {
  const keys = Object.keys(selector);
  if (keys.length < 1 || keys.length > 64) throw invalidProp(scope, 'inferencePool.selector', selector, 'from 1 to 64 labels');
  for (const key of keys) {
    if (!isQualifiedName(key)) throw invalidProp(scope, 'inferencePool.selector', key, 'a label key');
    if (!isLabelValue(selector[key])) throw invalidProp(scope, 'inferencePool.selector', selector[key], LABEL_VALUE_TEXT);
    if (own.labels[key] !== selector[key]) {
      throw new ValidationError(scope, 'inferencePool.selector', `${key}=${show(selector[key])} is not on the service's pods ` +
        `(${show(own.labels)}), so the pool would select none of them`);
    }
  }
  const matches = (labels: { [key: string]: string }) => keys.every((k) => labels[k] === selector[k]);
  const stray = others.find((o) => o.owner !== own.owner && o.namespace === own.namespace && matches(o.labels));
  if (stray) {
    throw new ValidationError(scope, 'inferencePool.selector', `${show(selector)} also selects the pods of ${stray.owner}; ` +
      'a pool must select only its own service\'s pods');
  }
}

/** InferencePool `targetPorts`: 1 to 8 unique ports (CRD), each a port the server container listens on. */
export function checkTargetPorts(scope: IConstruct, ports: number[], containerPorts: number[]): void {
  if (ports.length < 1 || ports.length > 8) throw invalidProp(scope, 'inferencePool.targetPorts', ports, 'from 1 to 8 ports');
  if (new Set(ports).size !== ports.length) throw invalidProp(scope, 'inferencePool.targetPorts', ports, 'unique port numbers');
  const unserved = ports.filter((p) => !containerPorts.includes(p));
  if (unserved.length) {
    throw new ValidationError(scope, 'inferencePool.targetPorts', `${unserved.join(', ')} is not a port of the model server ` +
      `(it listens on ${containerPorts.join(', ')}); the picker would route to a closed port`);
  }
}

/** An RBAC rule as we emit it. */
export interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

/** Something the endpoint picker must be able to do. */
export interface Need {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: string[];
}

/**
 * The picker's Role grants exactly what it needs: every need is covered, and no rule grants a resource or verb
 * no need asks for.
 */
export function checkLeastPrivilege(scope: IConstruct, rules: Rule[], needs: Need[]): void {
  for (const need of needs) {
    for (const verb of need.verbs) {
      const granted = rules.some((r) => r.apiGroups.includes(need.apiGroup) && r.resources.includes(need.resource) && r.verbs.includes(verb));
      if (!granted) {
        throw new ValidationError(scope, 'endpointPicker.rbac', `the picker needs ${verb} on ${need.apiGroup || 'core'}/${need.resource} ` +
          'and its Role does not grant it; it would crash-loop');
      }
    }
  }
  for (const rule of rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          const needed = needs.some((n) => n.apiGroup === group && n.resource === resource && n.verbs.includes(verb));
          if (!needed) {
            throw new ValidationError(scope, 'endpointPicker.rbac', `the Role grants ${verb} on ${group || 'core'}/${resource}, ` +
              'which the picker does not need');
          }
        }
      }
    }
  }
}

/** The rules that grant exactly `needs`, one rule per API group and verb set. */
export function rulesFor(needs: Need[]): Rule[] {
  const rules: Rule[] = [];
  for (const need of needs) {
    const verbs = [...need.verbs].sort();
    const same = rules.find((r) => r.apiGroups[0] === need.apiGroup && r.verbs.join() === verbs.join());
    if (same) (same.resources as string[]).push(need.resource);
    else rules.push({ apiGroups: [need.apiGroup], resources: [need.resource], verbs });
  }
  return rules;
}

/**
 * LeaderWorkerSet rules its webhook enforces (lws v0.10.0): size >= 1; a sub-group size from 1 to size, dividing
 * size (or size - 1 when the leader is excluded).
 */
export function checkLeaderWorkerSet(scope: IConstruct, size: number, subGroupSize: number | undefined, leaderExcluded: boolean): void {
  if (!Number.isInteger(size) || size < 1) throw invalidProp(scope, 'multiNode', size, 'a group size of at least 1');
  if (subGroupSize === undefined) return;
  if (!Number.isInteger(subGroupSize) || subGroupSize < 1 || subGroupSize > size) {
    throw invalidProp(scope, 'multiNode.subGroupSize', subGroupSize, `an integer from 1 to the group size ${size}`);
  }
  const members = leaderExcluded ? size - 1 : size;
  if (members % subGroupSize !== 0) {
    throw invalidProp(scope, 'multiNode.subGroupSize', subGroupSize, `a divisor of ${members} (the group's ${leaderExcluded ? 'workers' : 'pods'})`);
  }
}

const POD_LABELS = new WeakMap<IConstruct, PodLabelSet[]>();
/** Per app: the sets carrying each `namespace, key=value`, in recording order (pool checks stay linear in fleets). */
const POD_LABEL_INDEX = new WeakMap<IConstruct, Map<string, PodLabelSet[]>>();
const indexKey = (namespace: string | undefined, key: string, value: string) => `${namespace ?? '\u0001'}\u0000${key}\u0000${value}`;

/** Records the labels of a workload's pods, for the pool-selector check of every pool in the app. */
export function recordPodLabels(scope: IConstruct, set: PodLabelSet): void {
  const root = scope.node.root;
  const sets = POD_LABELS.get(root) ?? [];
  sets.push(set);
  POD_LABELS.set(root, sets);
  const index = POD_LABEL_INDEX.get(root) ?? new Map<string, PodLabelSet[]>();
  POD_LABEL_INDEX.set(root, index);
  for (const [key, value] of Object.entries(set.labels)) {
    const k = indexKey(set.namespace, key, value);
    const list = index.get(k);
    if (list) list.push(set);
    else index.set(k, [set]);
  }
}

/**
 * The recorded sets in `namespace` that carry at least the rarest pair of `selector`, in recording order: every set
 * the selector matches is among them, so `checkPoolSelector` finds the same stray as with all sets.
 */
export function podLabelSetsFor(scope: IConstruct, namespace: string | undefined, selector: { [key: string]: string }): PodLabelSet[] {
  const index = POD_LABEL_INDEX.get(scope.node.root);
  let fewest: PodLabelSet[] | undefined;
  for (const [key, value] of Object.entries(selector)) {
    const list = index?.get(indexKey(namespace, key, value)) ?? [];
    if (fewest === undefined || list.length < fewest.length) fewest = list;
  }
  return fewest ?? podLabelSets(scope);
}

/** The pod label sets recorded in the app. */
export function podLabelSets(scope: IConstruct): PodLabelSet[] {
  return POD_LABELS.get(scope.node.root) ?? [];
}
