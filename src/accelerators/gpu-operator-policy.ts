import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as operator from '../imports/nvidia-gpu-operator';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, show } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName } from '../internal/names';
import { ClusterAddon } from '../platform/cluster-addon';
import { ClusterProfile } from '../platform/cluster-profile';

/** The name of the GPU Operator's (single) ClusterPolicy, as its Helm chart names it. */
const CLUSTER_POLICY_NAME = 'cluster-policy';

/**
 * How the GPU Operator exposes MIG devices to the device plugin and GPU Feature Discovery.
 */
export enum MigStrategy {
  /** MIG is not used. */
  NONE = 'none',
  /** Every GPU of a node is split the same way; MIG devices appear as `nvidia.com/gpu`. */
  SINGLE = 'single',
  /** Mixed profiles; MIG devices appear as `nvidia.com/mig-<profile>`. */
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
   * Create a ServiceMonitor for the DCGM exporter (needs prometheus-operator in the ClusterProfile).
   *
   * @default false
   */
  readonly serviceMonitor?: boolean;
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
 * plugin is disabled (the NVIDIA DRA driver's GPU support cannot share a node with it); otherwise it is enabled.
 */
export class GpuOperatorPolicy extends Construct {
  /** The generated ClusterPolicy. */
  public readonly apiObject: ApiObject;

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
        dcgmExporter: { enabled: dcgmExporter, serviceMonitor: props.serviceMonitor ? { enabled: true } : undefined },
        gfd: { enabled: true },
        nodeStatusExporter: { enabled: false },
        mig: { strategy: migStrategy as unknown as operator.ClusterPolicySpecMigStrategy },
        migManager: { enabled: migStrategy !== MigStrategy.NONE },
      },
    }));
  }
}
