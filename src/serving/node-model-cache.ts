import { Construct, IConstruct } from 'constructs';
import { credentialsFiles } from './model-credentials';
import type { FillInputs, FilledVolume } from './model-fill-types';
import { NodeLocalModelVolumeProps } from './shared-model-volume';
import * as k8s from '../imports/k8s';
import { clusterScoped } from '../internal/cluster-scoped';
import { validationMessage } from '../internal/errors';
import { claimName, dnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { podSpecsBelow } from '../internal/pod-templates';
import { computeResources, PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { EgressNeedKind, needEgress } from '../security/tenant-network';

/**
 * The KServe storage initializer's entrypoint (kserve/kserve v0.20.0 python/storage-initializer.Dockerfile L69
 * `ENTRYPOINT`), called from a shell so that a volume whose copy is complete skips the download.
 */
const INITIALIZER_ENTRYPOINT = '/storage-initializer/scripts/initializer-entrypoint';

/**
 * The download step's command: nothing when the completion marker exists (a restarted fill pod, a Job re-created by a
 * GitOps re-sync after its TTL), else the storage initializer into `directory`.
 */
export function downloadUnlessFilled(uri: string, directory: string, marker: string): string[] {
  return ['/bin/sh', '-c', '[ -f "$2" ] && exit 0; exec "$3" "$0" "$1"', uri, directory, marker, INITIALIZER_ENTRYPOINT];
}
/** The fill pod's scratch space for the downloader's temporary files (`/tmp`, `HOME`): requested and limited. */
const FILL_SCRATCH = '2Gi';

/** Where the copy lives in the volume: the same layout as a shared volume's (directory and marker by URI hash). */
export interface NodeCacheLayout {
  readonly directory: string;
  readonly marker: string;
  readonly labels: { [key: string]: string };
}

/**
 * The node-local model volume of a service: a `local` PersistentVolume whose node affinity is the pool's (every node
 * backs it with its own `nodePath`), pre-bound both ways to the service's claim; and a DaemonSet on the pool's nodes
 * that fills each node's copy through that claim and then holds the node's completion marker. Every pod is built by
 * the restricted pod-spec builder: no hostPath anywhere.
 */
export function fillNodeLocalVolume(owner: Construct, scope: IConstruct, local: NodeLocalModelVolumeProps, input: FillInputs,
  layout: NodeCacheLayout): FilledVolume {
  const namespace = namespaceOf(scope);
  const { labels } = layout;
  const claim = resourceName(scope, ['model']);
  const volumeName = dnsLabel([namespace ?? 'default', claim, 'node-cache']);
  const builder = new PodSpecBuilder(owner, resolveSecurity(owner));
  local.nodePool._place(builder);
  builder.addScratch('tmp', '/tmp', FILL_SCRATCH);
  builder.addVolume({ name: 'model', persistentVolumeClaim: { claimName: claim } });
  const files = credentialsFiles(builder, input.uri, input.scheme, input.credentialsSecret, input.credentialsSecretKey);
  const mount = { name: 'model', mountPath: input.mountPath };
  const marker = `${input.mountPath}/${layout.marker}`;
  const resources = computeResources({ ...input.resources, otherRequests: { 'ephemeral-storage': FILL_SCRATCH } });
  resources.limits!['ephemeral-storage'] = k8s.Quantity.fromString(FILL_SCRATCH);
  builder.addContainer({
    name: 'model-download',
    image: input.image,
    // A node that already has the marker (a restarted or rescheduled fill pod) keeps its copy.
    command: downloadUnlessFilled(input.uri, `${input.mountPath}/${layout.directory}`, marker),
    env: [{ name: 'HOME', value: '/tmp' }, ...files.env],
    resources,
    volumeMounts: [mount, ...files.mounts],
  }, { init: true });
  // Written after the download exited 0, then held: the pod is Ready on a node whose copy is complete.
  builder.addContainer({
    name: 'cache-ready',
    image: input.image,
    command: ['/bin/sh', '-c', 'echo "$0" > "$1" && while :; do sleep 3600; done', input.uri, marker],
    readinessProbe: { exec: { command: ['test', '-f', marker] }, periodSeconds: 30 },
    resources: computeResources({ cpu: '10m', memory: '32Mi' }),
    volumeMounts: [mount],
  });
  const spec = builder.build();
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];

  claimName(owner, 'PersistentVolume', undefined, volumeName);
  clusterScoped(new k8s.KubePersistentVolume(owner, 'Volume', {
    metadata: { name: volumeName, labels },
    spec: {
      capacity: { storage: k8s.Quantity.fromString(local.size.asString()) },
      // ReadWriteOnce as far as the API knows; a local volume is never attached (kubernetes v1.37.2
      // pkg/volume/local/local.go: the plugin has no Attacher), so each node of the affinity mounts its own directory
      // and the scheduler checks only the node affinity (shown on the simulated cluster: node-model-cache.sim.test.ts).
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      volumeMode: 'Filesystem',
      local: { path: local.nodePath },
      nodeAffinity: { required: { nodeSelectorTerms: terms } },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: namespace ?? 'default', name: claim },
    },
  }));
  claimName(owner, 'PersistentVolumeClaim', namespace, claim);
  new k8s.KubePersistentVolumeClaim(owner, 'Claim', {
    metadata: { name: claim, namespace, labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      // "" keeps the default StorageClass's admission from adding a class the pre-bound volume does not have.
      storageClassName: '',
      volumeName,
      resources: { requests: { storage: k8s.Quantity.fromString(local.size.asString()) } },
    },
  });
  const daemonSetName = resourceName(scope, ['model-cache']);
  claimName(owner, 'DaemonSet', namespace, daemonSetName);
  new k8s.KubeDaemonSet(owner, 'DaemonSet', {
    metadata: { name: daemonSetName, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec },
    },
  });
  if (input.scheme !== 'oci') {
    needEgress({
      scope: owner,
      name: 'model-download',
      kind: EgressNeedKind.MODEL_DOWNLOAD,
      description: `the DaemonSet ${daemonSetName} fills the node-local model volume ${claim} on the pool ${local.nodePool.name}`,
      from: { namespace, podLabels: labels },
      destination: input.uri.replace(/^([a-z0-9]+:\/\/[^/]*).*$/, '$1'),
    });
  }
  // The servers must run where the copies are: on the pool (the scheduler would otherwise leave them Pending on the
  // volume's node affinity).
  const wanted = (terms[0]?.matchExpressions ?? []).map((e) => JSON.stringify(e));
  const placed = (podSpec: any) => {
    const have = new Set((podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
      .flatMap((t: any) => (t.matchExpressions ?? []).map((e: any) => JSON.stringify(e))));
    return wanted.every((e) => have.has(e));
  };
  owner.node.addValidation({
    validate: () => podSpecsBelow(scope)
      .filter((p) => p.object.kind !== 'DaemonSet' && (p.spec.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim))
      .filter((p) => !placed(p.spec))
      .map((p) => validationMessage('model.sharedVolume', `is a node-local volume on the pool ${local.nodePool.name}, but the ${p.object.kind} ` +
        `${p.object.metadata.name} is not placed on that pool; set nodePool to it`)),
  });
  return { claimName: claim, directory: layout.directory, marker: layout.marker, writer: 'the model cache DaemonSet on this node' };
}
