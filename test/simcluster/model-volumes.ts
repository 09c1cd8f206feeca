/**
 * Shared model volumes on the simulated cluster: the storage a cluster's CSI provisioner would supply, and the end of
 * a download Job as a kubelet reports it.
 *
 * What is real: kube-controller-manager's PersistentVolume binder binds each claim to the volume (matching class,
 * access mode and size), the scheduler's VolumeBinding plugin places the pods that mount it, and the Job controller
 * marks the download Job Complete from its pod's status. What the test plays: the provisioner (a pre-created NFS
 * PersistentVolume per claim: no CSI driver runs here) and the kubelet (kwok runs no container, so the download's exit
 * code and the servers' `model-wait` init container, which polls for the Job's completion marker, are not executed).
 */
import { SimCluster } from './cluster';
import { KubeObject } from '../harness/objects';

const STORAGE_MANAGER = 'sim-storage-provisioner';

/** The StorageClass and a matching PersistentVolume for every PersistentVolumeClaim in `objects`. */
export async function provisionModelVolumes(cluster: SimCluster, objects: readonly KubeObject[]): Promise<KubeObject[]> {
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
  const classes = [...new Set(claims.map((c) => (c.spec as any).storageClassName).filter((c): c is string => !!c))];
  const storage: KubeObject[] = [
    ...classes.map((name) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      // A Filestore-like RWX class; the binder matches the pre-created volume before any provisioner is asked.
      provisioner: 'filestore.csi.storage.gke.io',
      volumeBindingMode: 'Immediate',
    } as KubeObject)),
    ...claims.map((c) => {
      const spec = c.spec as any;
      return {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `pv-${c.metadata.namespace}-${c.metadata.name}` },
        spec: {
          capacity: { storage: spec.resources.requests.storage },
          accessModes: spec.accessModes,
          storageClassName: spec.storageClassName,
          persistentVolumeReclaimPolicy: 'Retain',
          nfs: { server: 'filestore.sim.internal', path: `/${c.metadata.namespace}/${c.metadata.name}` },
        },
      } as KubeObject;
    }),
  ];
  await cluster.api.applyAll(storage, STORAGE_MANAGER);
  return storage;
}

/** Waits until the PersistentVolume binder has bound every claim of `objects`. */
export async function claimsBound(cluster: SimCluster, objects: readonly KubeObject[], timeoutMs: number): Promise<any[]> {
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
  let bound: any[] = [];
  await cluster.waitFor('model volume claims Bound', async () => {
    bound = await Promise.all(claims.map((c) => cluster.api.get('v1', 'PersistentVolumeClaim', String(c.metadata.name), String(c.metadata.namespace))));
    const pending = bound.filter((c) => c?.status?.phase !== 'Bound');
    return pending.length === 0 || pending.map((c) => `${c?.metadata?.name}: ${c?.status?.phase}`).join(', ');
  }, timeoutMs);
  return bound;
}

/** What a kubelet reports when every container of the Job's pods exited 0; waits for the Job controller's Complete. */
export async function finishJob(cluster: SimCluster, job: KubeObject, timeoutMs: number): Promise<any> {
  const ns = String(job.metadata.namespace);
  const name = String(job.metadata.name);
  const pods = await cluster.api.list('v1', 'Pod', ns, `batch.kubernetes.io/job-name=${name}`);
  if (!pods.length) throw new Error(`Job ${ns}/${name} has no pod`);
  const now = new Date().toISOString();
  const terminated = (c: any) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
  });
  for (const p of pods) {
    await cluster.api.patchStatus('v1', 'Pod', p.metadata.name, ns, {
      phase: 'Succeeded',
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }],
      initContainerStatuses: (p.spec.initContainers ?? []).map(terminated),
      containerStatuses: p.spec.containers.map(terminated),
    });
  }
  let done: any;
  await cluster.waitFor(`Job ${name} Complete`, async () => {
    done = await cluster.api.get('batch/v1', 'Job', name, ns);
    const complete = (done?.status?.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True');
    return complete || `Job status ${JSON.stringify(done?.status)}`;
  }, timeoutMs);
  return done;
}
