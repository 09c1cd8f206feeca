import * as k8s from '../imports/k8s';

/** Volume types the Pod Security `restricted` profile allows. */
// Pod Security `restricted` volume types (k8s.io/pod-security-admission v0.37.2 policy/check_restrictedVolumes.go:
// image volumes are allowed).
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardApi', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const VOLUME_SOURCE_KEYS = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'gitRepo', 'glusterfs', 'hostPath', 'iscsi', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd',
  'scaleIo', 'scaleIO', 'storageos', 'vsphereVolume',
];

/**
 * The Pod Security Standard `restricted` checks (as of Kubernetes 1.34) on a pod spec, given either as the typed
 * import (`hostPid`) or as rendered JSON (`hostPID`), the form synth-time checks read from synthesized objects.
 * Returns one line per violation; an empty list means the pod is admitted by a namespace enforcing `restricted`.
 */
export function restrictedViolations(spec: k8s.PodSpec): string[] {
  const problems: string[] = [];
  const rendered = spec as { hostPID?: boolean; hostIPC?: boolean };
  if (spec.hostNetwork) problems.push('hostNetwork must be false');
  if (spec.hostPid || rendered.hostPID) problems.push('hostPID must be false');
  if (spec.hostIpc || rendered.hostIPC) problems.push('hostIPC must be false');
  if (spec.securityContext?.sysctls?.length) problems.push('sysctls are not allowed');
  for (const volume of spec.volumes ?? []) {
    const disallowed = VOLUME_SOURCE_KEYS.filter((k) => (volume as any)[k] !== undefined);
    if (disallowed.length) problems.push(`volume ${volume.name} uses ${disallowed.join(', ')}; allowed: ${RESTRICTED_VOLUME_TYPES.join(', ')}`);
  }
  const podRunAsNonRoot = spec.securityContext?.runAsNonRoot;
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  if (spec.securityContext?.runAsUser === 0) problems.push('pod runAsUser must not be 0');
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) problems.push(`${where}: privileged must be false`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities must drop ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length) problems.push(`${where}: capabilities may add only NET_BIND_SERVICE, not ${added.join(', ')}`);
    if ((sc.runAsNonRoot ?? podRunAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) problems.push(`${where}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccompProfile must be RuntimeDefault or Localhost`);
    if ((c.ports ?? []).some((p) => p.hostPort)) problems.push(`${where}: hostPort is not allowed`);
    if (sc.procMount && sc.procMount !== 'Default') problems.push(`${where}: procMount must be Default`);
  }
  return problems;
}
