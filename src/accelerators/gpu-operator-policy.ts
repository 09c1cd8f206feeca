import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import * as operator from '../imports/nvidia-gpu-operator';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, show } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel } from '../internal/names';

/** The name of the GPU Operator's (single) ClusterPolicy, as its Helm chart names it. */
const CLUSTER_POLICY_NAME = 'cluster-policy';
/**
 * The namespace the GPU Operator is installed in by its documented install (`helm install ... -n gpu-operator
 * --create-namespace nvidia/gpu-operator`, NVIDIA/gpu-operator v26.7.0 README.md); its operands run there.
 */
const DEFAULT_OPERATOR_NAMESPACE = 'gpu-operator';
/** The DCGM exporter's ServiceAccount (NVIDIA/gpu-operator v26.7.0 assets/state-dcgm-exporter/0100_service_account.yaml). */
const DCGM_EXPORTER_SERVICE_ACCOUNT = 'nvidia-dcgm-exporter';
/**
 * The dcgm-exporter switch that attributes DRA-allocated GPUs to pods (flag `--kubernetes-enable-dra`, env
 * `KUBERNETES_ENABLE_DRA`: NVIDIA/dcgm-exporter 4.5.3-4.8.2 pkg/cmd/app.go; the GPU Operator v26.7.0 sets the same
 * variable on its GPUCluster DRA stack, internal/state/testdata/golden/gpucluster-dcgm-exporter-embedded.yaml).
 */
const DCGM_EXPORTER_DRA_ENV = 'KUBERNETES_ENABLE_DRA';
/** The ClusterRole granting the exporter ResourceSlice reads (named after the operator's `nvidia-dcgm-exporter-read-pods`). */
const DRA_CLUSTER_ROLE = 'nvidia-dcgm-exporter-read-resourceslices';

/**
 * How the GPU Operator exposes MIG devices to the device plugin and GPU Feature Discovery.
 */
export enum MigStrategy {
  /** MIG is not used. */
  NONE = 'none',
  /**
   * Every GPU of a node is split the same way.
   *
   * MIG devices appear as `nvidia.com/gpu`.
   */
  SINGLE = 'single',
  /**
   * The GPUs of a node may be split into different profiles.
   *
   * MIG devices appear as `nvidia.com/mig-<profile>`.
   */
  MIXED = 'mixed',
}

/**
 * A toleration for the operator's daemon sets (so they run on tainted GPU nodes).
 */
export interface OperatorToleration {
  /**
   * The taint key.
   */
  readonly key: string;

  /**
   * The taint effect.
   *
   * @default - every effect
   */
  readonly effect?: string;
}

/**
 * Options for the NVIDIA GPU Operator's ClusterPolicy.
 */
export interface GpuOperatorOptions {
  /**
   * Install the NVIDIA driver as a container (false when the node image already has it, as on most managed
   * Kubernetes GPU images).
   *
   * @default true
   */
  readonly installDriver?: boolean;

  /**
   * The driver version (e.g. `580.95.05`).
   *
   * @default - the operator's default for its release
   */
  readonly driverVersion?: string;

  /**
   * The MIG strategy.
   *
   * @default MigStrategy.NONE
   */
  readonly migStrategy?: MigStrategy;

  /**
   * Run the DCGM exporter (GPU metrics for Prometheus).
   *
   * @default true
   */
  readonly dcgmExporter?: boolean;

  /**
   * Create a ServiceMonitor for the DCGM exporter (needs prometheus-operator in the ClusterProfile). The operator
   * creates it with the selector labels of the monitoring stack (`spec.dcgmExporter.serviceMonitor.additionalLabels`:
   * the PlatformObservability's stack when one applies, else the ClusterProfile's prometheus-operator add-on's, e.g.
   * `release: kube-prometheus-stack`), so that Prometheus selects it.
   *
   * @default false
   */
  readonly serviceMonitor?: boolean;

  /**
   * Attribute the metrics of DRA-allocated GPUs to their pods (namespace, pod, container labels), so per-namespace
   * GPU rules, the idle alert and cost panels have data on a DRA cluster. Sets `KUBERNETES_ENABLE_DRA` and
   * `enablePodUID` (which makes the operator mount the exporter's token and grant it pod reads) on the exporter,
   * and renders a ClusterRole and ClusterRoleBinding granting its ServiceAccount reads of ResourceSlices, which
   * the GPU Operator v26.7 does not grant on the ClusterPolicy path.
   *
   * @default - true when the ClusterProfile allocates GPUs through DRA and the exporter runs
   */
  readonly dcgmExporterDraAttribution?: boolean;

  /**
   * The namespace the GPU Operator runs in (where the DCGM exporter's ServiceAccount is), for the ResourceSlice
   * ClusterRoleBinding of `dcgmExporterDraAttribution`.
   *
   * @default 'gpu-operator'
   */
  readonly operatorNamespace?: string;
}

/**
 * Props for a GpuOperatorPolicy.
 */
export interface GpuOperatorPolicyProps extends GpuOperatorOptions {
  /**
   * Taints of the GPU nodes the operator's daemon sets must tolerate.
   *
   * @default - the `nvidia.com/gpu` taint, any effect
   */
  readonly tolerations?: OperatorToleration[];

  /**
   * At least one GPU model of the cluster supports MIG (checked when `migStrategy` is not NONE).
   *
   * @default true
   */
  readonly migCapable?: boolean;
}

const DRIVER_VERSION = /^[0-9]+(\.[0-9]+){1,3}(-[A-Za-z0-9.]+)?$/;

/**
 * The NVIDIA GPU Operator's `ClusterPolicy` (nvidia.com/v1, cluster-scoped; the operator honours one per cluster):
 * driver, container toolkit, GPU Feature Discovery, DCGM exporter (with its embedded host engine) and MIG manager. On a DRA cluster the device
 * plugin is disabled (the NVIDIA DRA driver's GPU support cannot share a node with it) and the DCGM exporter is set up
 * to attribute DRA-allocated GPUs to pods (`dcgmExporterDraAttribution`, with a ResourceSlice ClusterRole); otherwise
 * the device plugin is enabled.
 */
export class GpuOperatorPolicy extends Construct {
  /** The generated ClusterPolicy. */
  public readonly apiObject: ApiObject;
  /** The ClusterRole granting the DCGM exporter ResourceSlice reads, when DRA attribution is on. */
  public readonly dcgmExporterClusterRole?: ApiObject;
  /** Its ClusterRoleBinding to the exporter's ServiceAccount, when DRA attribution is on. */
  public readonly dcgmExporterClusterRoleBinding?: ApiObject;

  constructor(scope: Construct, id: string, props: GpuOperatorPolicyProps = {}) {
    super(scope, id);
    const profile = ClusterProfile.of(this);
    profile._requireAddon(this, 'gpuOperator', ClusterAddon.NVIDIA_GPU_OPERATOR, 'a GPU Operator ClusterPolicy');
    const migStrategy = props.migStrategy ?? MigStrategy.NONE;
    if (migStrategy !== MigStrategy.NONE && props.migCapable === false) {
      throw new ValidationError(this, 'gpuOperator.migStrategy', `got ${show(migStrategy)}; the pool's GPU model has no MIG ` +
        'support, so use MigStrategy.NONE');
    }
    if (props.driverVersion !== undefined && !DRIVER_VERSION.test(props.driverVersion)) {
      throw new ValidationError(this, 'gpuOperator.driverVersion', `got ${show(props.driverVersion)}; expected a driver version such as "580.95.05"`);
    }
    if (props.serviceMonitor) {
      profile._requireAddon(this, 'gpuOperator.serviceMonitor', ClusterAddon.PROMETHEUS_OPERATOR, 'a DCGM exporter ServiceMonitor');
      if (props.dcgmExporter === false) {
        throw new ValidationError(this, 'gpuOperator.serviceMonitor', 'a ServiceMonitor needs the DCGM exporter; remove dcgmExporter: false');
      }
    }
    claimName(this, 'ClusterPolicy', undefined, CLUSTER_POLICY_NAME);
    const tolerations = (props.tolerations ?? [{ key: 'nvidia.com/gpu' }])
      .map((t) => ({ key: t.key, operator: 'Exists', effect: t.effect }));
    const dcgmExporter = props.dcgmExporter ?? true;
    const dra = this.draAttribution(props, dcgmExporter, profile.usesDra);
    const operatorNamespace = requireDnsLabel(this, 'gpuOperator.operatorNamespace', props.operatorNamespace ?? DEFAULT_OPERATOR_NAMESPACE);
    this.apiObject = clusterScoped(new operator.ClusterPolicy(this, 'Resource', {
      metadata: {
        name: CLUSTER_POLICY_NAME,
        labels: standardLabels({ name: 'gpu-operator', instance: CLUSTER_POLICY_NAME, component: 'cluster-policy' }),
      },
      spec: {
        operator: {},
        daemonsets: { tolerations },
        driver: { enabled: props.installDriver ?? true, version: props.driverVersion },
        toolkit: { enabled: true },
        devicePlugin: { enabled: !profile.usesDra },
        dcgm: { enabled: false },
        dcgmExporter: {
          enabled: dcgmExporter,
          // The operator's ServiceMonitor carries only `app: nvidia-dcgm-exporter` (gpu-operator v26.7.0
          // assets/state-dcgm-exporter/0500_service_monitor.yaml) plus these additionalLabels (controllers/
          // object_controls.go applyServiceMonitorCustomEdits), and kube-prometheus-stack's Prometheus selects
          // monitors by `release`, so without the stack's selector labels the exporter is never scraped. Read at
          // synth: a PlatformObservability declared after this construct still counts.
          serviceMonitor: props.serviceMonitor
            ? { enabled: true, additionalLabels: Lazy.any({ produce: () => this.monitoringStackLabels(profile) }) }
            : undefined,
          // Under DRA the kubelet reports (pool, device) names, which the exporter maps to GPUs through the node's
          // ResourceSlices; without KUBERNETES_ENABLE_DRA its series carry no pod, so per-namespace rules are empty.
          // At v26.7.0 the operator mounts the exporter's token only for pod metadata (controllers/object_controls.go:
          // "Override the base asset's automountServiceAccountToken=false when the configuration reads from the
          // Kubernetes API"), hence enablePodUID, the least label cardinality of the two pod-metadata switches.
          ...(dra ? { env: [{ name: DCGM_EXPORTER_DRA_ENV, value: 'true' }], enablePodUid: true } : {}),
        },
        gfd: { enabled: true },
        nodeStatusExporter: { enabled: false },
        mig: { strategy: migStrategy as unknown as operator.ClusterPolicySpecMigStrategy },
        migManager: { enabled: migStrategy !== MigStrategy.NONE },
      },
    }));
    if (dra) {
      const rbac = this.draRbac(operatorNamespace);
      this.dcgmExporterClusterRole = rbac.role;
      this.dcgmExporterClusterRoleBinding = rbac.binding;
    }
  }

  /**
   * The selector labels of the Prometheus that scrapes this cluster's monitors: the PlatformObservability's stack
   * (through the hook the observability layer sets, since this layer sits below it), else the profile's add-on's.
   */
  private monitoringStackLabels(profile: ClusterProfile): { [key: string]: string } | undefined {
    const stack = ClusterProfile._platformStackOf?.(this) ?? profile.monitoringStack;
    const labels = stack?.selectorLabels ?? {};
    return Object.keys(labels).length ? { ...labels } : undefined;
  }

  private draAttribution(props: GpuOperatorPolicyProps, dcgmExporter: boolean, usesDra: boolean): boolean {
    const asked = props.dcgmExporterDraAttribution;
    if (asked && !dcgmExporter) {
      throw new ValidationError(this, 'gpuOperator.dcgmExporterDraAttribution', 'is true but dcgmExporter is false; attribution configures the ' +
        'DCGM exporter, so remove one of the two');
    }
    if (asked && !usesDra) {
      throw new ValidationError(this, 'gpuOperator.dcgmExporterDraAttribution', 'is true but the ClusterProfile allocates GPUs through the ' +
        'device plugin, whose allocations the exporter attributes without it; remove it or use DRA in the ClusterProfile');
    }
    return asked ?? (dcgmExporter && usesDra);
  }

  /**
   * Read access to ResourceSlices for the exporter's ServiceAccount: the GPU Operator v26.7.0 ClusterPolicy path
   * grants only pods (assets/state-dcgm-exporter/0210_clusterrole.yaml: "TODO: Add resourceSlices permissions when
   * GPU Operator exposes DRA exporter support"). The rule is the one its GPUCluster stack renders (NVIDIA/gpu-operator
   * PR #2697) and dcgm-exporter's chart grants (deployment/templates/clusterrole.yaml): get, list, watch; the
   * exporter's DRA path is one ResourceSlice informer (resource.k8s.io/v1 from dcgm-exporter 4.6.0-4.8.3, the
   * version v26.7.0 pins, NVIDIA/dcgm-exporter#590).
   */
  private draRbac(namespace: string): { role: ApiObject; binding: ApiObject } {
    const labels = standardLabels({ name: 'gpu-operator', instance: CLUSTER_POLICY_NAME, component: 'dcgm-exporter' });
    claimName(this, 'ClusterRole', undefined, DRA_CLUSTER_ROLE);
    const role = clusterScoped(new k8s.KubeClusterRole(this, 'DcgmExporterClusterRole', {
      metadata: { name: DRA_CLUSTER_ROLE, labels },
      rules: [{ apiGroups: ['resource.k8s.io'], resources: ['resourceslices'], verbs: ['get', 'list', 'watch'] }],
    }));
    claimName(this, 'ClusterRoleBinding', undefined, DRA_CLUSTER_ROLE);
    const binding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'DcgmExporterClusterRoleBinding', {
      metadata: { name: DRA_CLUSTER_ROLE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: DRA_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: DCGM_EXPORTER_SERVICE_ACCOUNT, namespace }],
    }));
    return { role, binding };
  }
}
