/**
 * The API-server environments the harness can run, and what each one turns on.
 *
 * All run the same kube-apiserver 1.37 binary (tools/testenv):
 *  - `default` emulates Kubernetes 1.34 (`--emulated-version=1.34`), so feature
 *    gates, API groups and field handling are those of a stock 1.34 cluster,
 *    the project's default target.
 *  - `latest` is 1.37 with the newer, off-by-default gates and API versions on
 *    (Workload API scheduling.k8s.io/v1beta1, DRA alpha/beta gates).
 *  - `emulated-1.35` and `emulated-1.36` emulate stock 1.35 and 1.36 clusters
 *    (version defaults, no extra gates). They are started only on request
 *    (CDK8S_AI_TESTENV_ENVIRONMENTS), to keep the usual run at two apiservers.
 */

export type EnvironmentName = 'default' | 'latest' | 'emulated-1.35' | 'emulated-1.36';

/** Every environment the harness knows. */
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['default', 'latest', 'emulated-1.35', 'emulated-1.36'];

/** The environments started when CDK8S_AI_TESTENV_ENVIRONMENTS is unset. */
export const DEFAULT_ENVIRONMENTS: readonly EnvironmentName[] = ['default', 'latest'];

/** The binary's Kubernetes minor: the newest version the harness runs. */
export const BINARY_MINOR = 37;
/** `--emulated-version` reaches back three minors from the binary's (apiserver compatibility/version.go). */
export const OLDEST_EMULATED_MINOR = BINARY_MINOR - 3;

export interface EnvironmentDefinition {
  readonly name: EnvironmentName;
  /** Kubernetes minor this environment behaves like (`1.34`, `1.37`). */
  readonly kubernetesVersion: string;
  /** Value of `--emulated-version`, when the binary emulates an older release. */
  readonly emulatedVersion?: string;
  /** Value of `--feature-gates` (only gates that differ from the version's defaults). */
  readonly featureGates: Readonly<Record<string, boolean>>;
  /** Value of `--runtime-config` (API group versions not served by default). */
  readonly runtimeConfig: Readonly<Record<string, boolean>>;
  readonly description: string;
}

/**
 * Off-by-default gates of kube-apiserver 1.37 that `latest` turns on.
 * Taken from `kube-apiserver --help` of v1.37.2 (ALPHA or BETA default=false).
 * GA gates (DRAPrioritizedList, DRAAdminAccess, DRAExtendedResource,
 * DRADeviceTaints, DRADeviceTaintRules, DRAResourceClaimDeviceStatus) are
 * locked on in 1.37 and are not listed by --help; setting them only logs a
 * warning, so they are not passed.
 */
const LATEST_GATES: Readonly<Record<string, boolean>> = {
  // Workload API / gang scheduling (KEP 4671 and follow-ups)
  GenericWorkload: true,
  CompositePodGroup: true,
  PodGroupPreemptionPolicy: true,
  TopologyAwareWorkloadScheduling: true,
  WorkloadWithJob: true,
  // DRA, off by default in 1.37
  DRAWorkloadResourceClaims: true,
  DRADerivedAttributes: true,
  DRADeviceCompatibilityGroups: true,
  DRAFractionalCapacityRange: true,
  DRAListTypeAttributes: true,
  DRANodeAllocatableResources: true,
  DRAOptionalNodeOperations: true,
  DRAPartitionableDevicesType: true,
  DRAResourcePoolStatus: true,
};

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentDefinition>> = {
  'default': {
    name: 'default',
    kubernetesVersion: '1.34',
    emulatedVersion: '1.34',
    featureGates: {},
    runtimeConfig: {},
    description: 'kube-apiserver 1.37 emulating Kubernetes 1.34 with 1.34 default feature gates and APIs',
  },
  'latest': {
    name: 'latest',
    kubernetesVersion: '1.37',
    featureGates: LATEST_GATES,
    runtimeConfig: {
      'scheduling.k8s.io/v1beta1': true, // Workload, PodGroup (GenericWorkload)
      'scheduling.k8s.io/v1alpha3': true, // CompositePodGroup (+ Workload, PodGroup)
      'resource.k8s.io/v1alpha3': true, // ResourcePoolStatusRequest (DRAResourcePoolStatus)
    },
    description: 'kube-apiserver 1.37 with the Workload API (scheduling.k8s.io/v1beta1) and off-by-default DRA/workload gates on',
  },
  'emulated-1.35': {
    name: 'emulated-1.35',
    kubernetesVersion: '1.35',
    emulatedVersion: '1.35',
    featureGates: {},
    runtimeConfig: {},
    description: 'kube-apiserver 1.37 emulating Kubernetes 1.35 with 1.35 default feature gates and APIs',
  },
  'emulated-1.36': {
    name: 'emulated-1.36',
    kubernetesVersion: '1.36',
    emulatedVersion: '1.36',
    featureGates: {},
    runtimeConfig: {},
    description: 'kube-apiserver 1.37 emulating Kubernetes 1.36 with 1.36 default feature gates and APIs',
  },
};

/** `{a: true, b: false}` -> `a=true,b=false` (sorted, stable). */
export function formatKeyValues(values: Readonly<Record<string, boolean>>): string {
  return Object.keys(values).sort().map((k) => `${k}=${values[k]}`).join(',');
}

/**
 * Environments to start, from `CDK8S_AI_TESTENV_ENVIRONMENTS`: comma-separated
 * names, `none` to start nothing, `all` for every known environment; unset or
 * empty: DEFAULT_ENVIRONMENTS (`default`, `latest`).
 */
export function requestedEnvironments(value = process.env.CDK8S_AI_TESTENV_ENVIRONMENTS): EnvironmentName[] {
  if (value === undefined || value.trim() === '') {
    return [...DEFAULT_ENVIRONMENTS];
  }
  if (value.trim() === 'all') {
    return [...ENVIRONMENT_NAMES];
  }
  if (value.trim() === 'none') {
    return [];
  }
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!(ENVIRONMENT_NAMES as readonly string[]).includes(s)) {
      throw new Error(`CDK8S_AI_TESTENV_ENVIRONMENTS: unknown environment '${s}' (known: ${ENVIRONMENT_NAMES.join(', ')}, none)`);
    }
    return s as EnvironmentName;
  });
}
