/**
 * Default state of the Kubernetes feature gates our constructs depend on, per minor version.
 * Source: the feature-gate table of kubernetes.io (docs/reference/command-line-tools-reference/feature-gates),
 * cross-checked with the KEP milestones; see ../shared/notes/training-dra.md §1.4 and §3d.
 */
export interface GateDefault {
  /** Minor versions (34..37) and whether the gate is on by default there; absent = gate does not exist. */
  readonly defaults: Record<number, boolean>;
  /** What the gate unlocks, for error messages. */
  readonly effect: string;
}

export const FEATURE_GATES: Record<string, GateDefault> = {
  DynamicResourceAllocation: { defaults: { 34: true, 35: true, 36: true, 37: true }, effect: 'resource.k8s.io/v1 and pod resourceClaims' },
  DRAPrioritizedList: { defaults: { 34: true, 35: true, 36: true, 37: true }, effect: 'firstAvailable device requests' },
  DRAAdminAccess: { defaults: { 34: true, 35: true, 36: true, 37: true }, effect: 'adminAccess device requests' },
  DRAExtendedResource: { defaults: { 34: false, 35: false, 36: true, 37: true }, effect: 'DeviceClass.extendedResourceName' },
  DRAConsumableCapacity: { defaults: { 34: false, 35: false, 36: true, 37: true }, effect: 'capacity requests and shared devices' },
  DRADeviceTaints: { defaults: { 34: false, 35: false, 36: true, 37: true }, effect: 'device tolerations' },
  DRAPartitionableDevices: { defaults: { 34: false, 35: false, 36: true, 37: true }, effect: 'partitionable devices (dynamic MIG)' },
  // KEP-4639: beta off in 1.33/1.34, beta on in 1.35, GA (locked on) from 1.36 (kubernetes v1.37.2
  // pkg/features/kube_features.go, defaultVersionedKubernetesFeatureGates).
  ImageVolume: { defaults: { 34: false, 35: true, 36: true, 37: true }, effect: 'image volumes (volumes[].image, OCI images mounted read-only)' },
  // KEP-2021: alpha (off) since 1.16, beta (on) from 1.37 (kubernetes v1.37.2 pkg/features/kube_features.go L1661-1664).
  HPAScaleToZero: { defaults: { 34: false, 35: false, 36: false, 37: true }, effect: 'HorizontalPodAutoscalers with minReplicas 0 (Object or External metrics)' },
  DRAWorkloadResourceClaims: { defaults: { 36: false, 37: false }, effect: 'PodGroup-level resource claims' },
  GenericWorkload: { defaults: { 35: false, 36: false, 37: false }, effect: 'the Workload API (scheduling.k8s.io Workload/PodGroup)' },
  GangScheduling: { defaults: { 35: false, 36: false }, effect: 'gang scheduling of Workload pod groups' },
  // Both alpha (off) from 1.36 and still alpha in 1.37 (TopologyAwareWorkloadScheduling's KEP aimed at beta for 1.37,
  // but the 1.37 gate table lists it alpha); neither exists in 1.34/1.35. training-dra.md §3d.
  TopologyAwareWorkloadScheduling: { defaults: { 36: false, 37: false }, effect: 'topology constraints of Workload pod groups (schedulingConstraints.topology)' },
  WorkloadWithJob: { defaults: { 36: false, 37: false }, effect: 'Workload API gangs for Jobs (Job.spec.scheduling from 1.37)' },
};

export function knownGates(): string[] {
  return Object.keys(FEATURE_GATES).sort();
}
