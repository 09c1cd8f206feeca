import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ClusterAddon } from './cluster-addon';
import { FEATURE_GATES, knownGates } from './feature-gates';
import { KubernetesVersion } from './kubernetes-version';
import type { MonitoringStack } from './monitoring-stack';
import { requireDraGate, requireOnlyProfileIn, warnFloatingImages } from './profile-checks';
import { ValidationError, invalidProp, show } from '../internal/errors';
import { apiObjectsBelow } from '../internal/pod-templates';
import { checkProps, opt, req, requireKind, requireScope } from '../internal/runtime-checks';

const CLUSTER_PROFILE = Symbol.for('cdk8s-ai.ClusterProfile');
const DEFAULT_PROFILE_ID = 'DefaultClusterProfile';
/** The prometheus-operator kinds a Prometheus selects by label (its serviceMonitor/podMonitor/ruleSelector). */
const MONITOR_KINDS = new Set(['ServiceMonitor', 'PodMonitor', 'PrometheusRule']);
/** Per scope: the profile declared among its children (null: none). Reset whenever a profile is declared. */
let declaredIn = new WeakMap<IConstruct, ClusterProfile | null>();

function declaredProfile(scope: IConstruct): ClusterProfile | undefined {
  let found = declaredIn.get(scope);
  if (found === undefined) {
    const declared = scope.node.children.find((c) => ClusterProfile.isClusterProfile(c) && c.node.id !== DEFAULT_PROFILE_ID);
    found = (declared ?? null) as ClusterProfile | null;
    declaredIn.set(scope, found);
  }
  return found ?? undefined;
}

/**
 * How pods get GPUs on the target cluster.
 */
export enum GpuAllocation {
  /** Dynamic Resource Allocation (`resource.k8s.io/v1` ResourceClaims) through a DRA driver. */
  DYNAMIC_RESOURCE_ALLOCATION = 'DynamicResourceAllocation',
  /** The `nvidia.com/gpu` extended resource of the NVIDIA device plugin (clusters without a DRA driver). */
  DEVICE_PLUGIN = 'DevicePlugin',
}

/**
 * Props for a ClusterProfile.
 */
export interface ClusterProfileProps {
  /**
   * The Kubernetes version of the target cluster.
   *
   * @default KubernetesVersion.V1_34
   */
  readonly kubernetesVersion?: KubernetesVersion;

  /**
   * Feature gates that differ from the version's defaults, e.g. `{ GenericWorkload: true }` on a 1.37 cluster whose
   * apiserver runs with that gate and the matching `--runtime-config`. Only gates this library knows are accepted,
   * so a typo cannot silently change nothing.
   *
   * @default - the Kubernetes defaults of `kubernetesVersion`
   */
  readonly featureGates?: { [gate: string]: boolean };

  /**
   * How pods get GPUs.
   *
   * @default GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION
   */
  readonly gpuAllocation?: GpuAllocation;

  /**
   * The add-ons installed on the cluster. `ClusterAddon.prometheusOperatorWith(stack)` says which Prometheus picks up
   * monitors and rules, `ClusterAddon.kueueWith(configuration)` what Kueue's Configuration declares; listed with
   * `ClusterAddon.defaults()`, they replace their `PROMETHEUS_OPERATOR` and `KUEUE`.
   *
   * @default ClusterAddon.defaults()
   */
  readonly addons?: ClusterAddon[];
}

/**
 * What the target cluster is and has. Constructs look it up the construct tree (the nearest ClusterProfile among
 * the children of their ancestors) and refuse at synth to emit what the cluster cannot run. Declare it before the
 * constructs that depend on it, e.g. `new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_37 })`.
 * Without one, the target is Kubernetes 1.34 with DRA and the default add-ons.
 */
export class ClusterProfile extends Construct {
  /**
   * The monitoring stack that applies to `scope` besides the profile's own (a PlatformObservability's stack wins);
   * set by the observability layer, which sits above this one.
   * @internal
   */
  public static _platformStackOf?: (scope: IConstruct) => MonitoringStack | undefined;

  /**
   * True when `x` is a ClusterProfile (works across copies of the library).
   */
  public static isClusterProfile(x: any): x is ClusterProfile {
    return x !== null && typeof x === 'object' && CLUSTER_PROFILE in x;
  }

  /**
   * The profile that applies to `scope`: the nearest ClusterProfile declared among the children of `scope` or of
   * one of its ancestors.
   *
   * When there is none, it is the default profile.
   */
  public static of(scope: IConstruct): ClusterProfile {
    requireScope('ClusterProfile.of', scope);
    for (let ancestor: IConstruct | undefined = scope; ancestor !== undefined; ancestor = ancestor.node.scope) {
      const found = declaredProfile(ancestor);
      if (found) return found;
    }
    const root = scope.node.root;
    return (root.node.tryFindChild(DEFAULT_PROFILE_ID) as ClusterProfile | undefined) ?? new ClusterProfile(root, DEFAULT_PROFILE_ID);
  }

  /** The target Kubernetes version. */
  public readonly kubernetesVersion: KubernetesVersion;
  /** How pods get GPUs. */
  public readonly gpuAllocation: GpuAllocation;
  /** The installed add-ons. */
  public readonly addons: ClusterAddon[];
  private readonly gateOverrides: Record<string, boolean>;

  constructor(scope: Construct, id: string, props: ClusterProfileProps = {}) {
    super(scope, id);
    props = checkProps(this, 'ClusterProfileProps', props, {
      kubernetesVersion: opt(KubernetesVersion, 'a KubernetesVersion such as KubernetesVersion.V1_34 or KubernetesVersion.of("1.36")'),
      featureGates: opt('object', 'an object of gate name to true or false, such as { DynamicResourceAllocation: true }'),
      gpuAllocation: opt('string', 'a GpuAllocation such as GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION'),
      addons: opt('array', 'a list of ClusterAddon such as ClusterAddon.defaults()'),
    });
    (props.addons ?? []).forEach((a, i) => requireKind(this, `addons[${i}]`, a, req(ClusterAddon, 'a ClusterAddon such as ClusterAddon.KUEUE')));
    Object.defineProperty(this, CLUSTER_PROFILE, { value: true });
    declaredIn = new WeakMap();
    this.kubernetesVersion = props.kubernetesVersion ?? KubernetesVersion.V1_34;
    this.gpuAllocation = props.gpuAllocation ?? GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION;
    this.addons = this.resolveAddons(props.addons ?? ClusterAddon.defaults());
    this.gateOverrides = { ...(props.featureGates ?? {}) };
    this.validateGates();
    requireDraGate(this, this.usesDra, this.isFeatureEnabled('DynamicResourceAllocation'));
    requireOnlyProfileIn(this, (c) => ClusterProfile.isClusterProfile(c), DEFAULT_PROFILE_ID);
    // Every monitor and rule in the profile's scope gets the selector labels of its Prometheus, whichever construct
    // (or user) made it: labels are added at synth, when the construct tree is complete, and never override a
    // label the object already has.
    this.node.addValidation({
      validate: () => {
        const objects = apiObjectsBelow(scope); // one walk of the tree for both checks
        this.labelMonitors(objects);
        warnFloatingImages(scope, objects);
        return [];
      },
    });
    if (id !== DEFAULT_PROFILE_ID && scope.node.tryFindChild(DEFAULT_PROFILE_ID)) {
      throw new ValidationError(this, 'scope', 'a construct already used the default cluster profile before this ' +
        'ClusterProfile was declared; declare the ClusterProfile before the constructs it applies to');
    }
  }

  /**
   * True when the gate is on: the version's default unless `featureGates` overrides it.
   *
   * @param gate A Kubernetes feature gate, e.g. `DynamicResourceAllocation`.
   */
  public isFeatureEnabled(gate: string): boolean {
    if (gate in this.gateOverrides) return this.gateOverrides[gate];
    return FEATURE_GATES[gate]?.defaults[this.kubernetesVersion.minor] ?? false;
  }

  /**
   * True when the add-on is installed.
   *
   * @param addon The add-on, compared by its `id`.
   */
  public hasAddon(addon: ClusterAddon): boolean {
    return this.addons.some((a) => a.id === addon.id);
  }

  /**
   * The Prometheus installation of the prometheus-operator add-on (its selector labels, namespace, dashboard
   * sidecar).
   *
   * It is undefined when the cluster has no prometheus-operator.
   */
  public get monitoringStack(): MonitoringStack | undefined {
    return this.addons.find((a) => a.id === ClusterAddon.PROMETHEUS_OPERATOR.id)?.monitoringStack;
  }

  /** True when pods get GPUs through DRA. */
  public get usesDra(): boolean {
    return this.gpuAllocation === GpuAllocation.DYNAMIC_RESOURCE_ALLOCATION;
  }

  /** The feature gates set explicitly on this profile. */
  public get featureGateOverrides(): { [gate: string]: boolean } {
    return { ...this.gateOverrides };
  }

  /**
   * Throws a ValidationError on `scope` unless `gate` is on, naming what needs it.
   * @internal
   */
  public _requireFeature(scope: IConstruct, prop: string, gate: string, needs: string): void {
    if (this.isFeatureEnabled(gate)) return;
    throw new ValidationError(scope, prop, `${needs} needs the feature gate ${gate} (${FEATURE_GATES[gate]?.effect ?? gate}), ` +
      `which is off on the target Kubernetes ${this.kubernetesVersion}; enable it in the ClusterProfile's featureGates ` +
      'if the cluster runs with it, or target a version where it is on by default');
  }

  /**
   * Throws a ValidationError on `scope` unless the add-on is installed.
   * @internal
   */
  public _requireAddon(scope: IConstruct, prop: string, addon: ClusterAddon, needs: string): void {
    if (this.hasAddon(addon)) return;
    throw new ValidationError(scope, prop, `${needs} needs ${addon.description}, which the ClusterProfile ` +
      `${show(this.node.path)} does not list in its addons`);
  }

  /**
   * The add-ons, with an explicit prometheus-operator stack (Kueue configuration) replacing the default one; two
   * are refused.
   */
  private resolveAddons(addons: ClusterAddon[]): ClusterAddon[] {
    const id = ClusterAddon.PROMETHEUS_OPERATOR.id;
    const explicit = addons.filter((a) => a.id === id && a !== ClusterAddon.PROMETHEUS_OPERATOR);
    if (explicit.length > 1) {
      throw invalidProp(this, 'addons', explicit.map((a) => a.monitoringStack?.description ?? id).join(', '),
        'at most one ClusterAddon.prometheusOperatorWith(...): one Prometheus selects the generated monitors and rules');
    }
    const kueue = addons.filter((a) => a.id === ClusterAddon.KUEUE.id && a !== ClusterAddon.KUEUE);
    if (kueue.length > 1) {
      throw invalidProp(this, 'addons', kueue.map((a) => JSON.stringify(a._kueueConfigurationFields() ?? {})).join(', '),
        'at most one ClusterAddon.kueueWith(...): the cluster runs one Kueue Configuration');
    }
    return addons.filter((a) => !(explicit.length && a === ClusterAddon.PROMETHEUS_OPERATOR) && !(kueue.length && a === ClusterAddon.KUEUE));
  }

  /**
   * Adds the selector labels of the monitoring stack to every monitor and rule this profile applies to: the stack
   * of the PlatformObservability that applies to the object when there is one (its `stack` prop), else the
   * profile's prometheus-operator add-on's.
   */
  private labelMonitors(objects: ApiObject[]): void {
    if (!this.monitoringStack) return;
    for (const c of objects) {
      if (c.apiGroup !== 'monitoring.coreos.com' || !MONITOR_KINDS.has(c.kind)) continue;
      if (ClusterProfile.of(c) !== this) continue;
      const stack = ClusterProfile._platformStackOf?.(c) ?? this.monitoringStack;
      for (const [key, value] of Object.entries(stack.selectorLabels)) {
        if (c.metadata.getLabel(key) === undefined) c.metadata.addLabel(key, value);
      }
    }
  }

  private validateGates() {
    for (const [gate, on] of Object.entries(this.gateOverrides)) {
      const known = FEATURE_GATES[gate];
      if (!known) throw invalidProp(this, `featureGates.${gate}`, on, `a gate this library knows: ${knownGates().join(', ')}`);
      if (known.defaults[this.kubernetesVersion.minor] === undefined) {
        throw invalidProp(this, `featureGates.${gate}`, on, `a gate that exists in Kubernetes ${this.kubernetesVersion} ` +
          `(${gate} exists in ${Object.keys(known.defaults).map((m) => `1.${m}`).join(', ')})`);
      }
    }
  }
}
