import { Construct, IConstruct } from 'constructs';
import { credentialsFiles } from './model-credentials';
import type { FillInputs, FilledVolume } from './model-fill-types';
import { downloadUnlessFilled, fillNodeLocalVolume } from './node-model-cache';
import { ModelVolumeAccessMode, SharedModelVolume } from './shared-model-volume';
import * as k8s from '../imports/k8s';
import { standardLabels } from '../internal/labels';
import { claimName, resourceName, shortHash } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { computeResources, PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { EgressNeedKind, needEgress } from '../security/tenant-network';

const FILL_ID = 'ModelVolumeFill';
/** The Job's scratch space for the downloader's temporary files (`/tmp`, `HOME`): requested and limited. */
const FILL_SCRATCH = '2Gi';
/** How long a finished download Job (and its pod's logs) stays: a day, as the eval Jobs. */
const FINISHED_FILL_TTL_SECONDS = 86_400;

/**
 * The PersistentVolumeClaim (for a new claim) and the download Job that fills it, created once per service (a
 * prefill/decode service's two pod templates share them). The Job's name carries a hash of the URI: a Job's pod
 * template is immutable, so another model is another Job (and another directory), never a failed update.
 */
export function fillSharedVolume(scope: IConstruct, volume: SharedModelVolume, input: FillInputs): FilledVolume {
  const hash = shortHash(input.uri, 12);
  const directory = `models/${hash}`;
  const marker = `models/${hash}.complete`;
  for (let s: IConstruct | undefined = scope; s !== undefined; s = s.node.scope) {
    const existing = s.node.tryFindChild(FILL_ID) as (Construct & { filled?: FilledVolume }) | undefined;
    if (existing?.filled) return existing.filled;
  }
  const owner = new Construct(scope, FILL_ID) as Construct & { filled?: FilledVolume };
  const namespace = namespaceOf(scope);
  const serviceName = resourceName(scope);
  const labels = standardLabels({ name: 'model-download', instance: serviceName, component: 'model-download' });
  if (volume._nodeLocal) {
    owner.filled = fillNodeLocalVolume(owner, scope, volume._nodeLocal, input, { directory, marker, labels });
    return owner.filled;
  }
  const claim = volume.claimName ?? resourceName(scope, ['model']);
  if (volume._new) {
    claimName(owner, 'PersistentVolumeClaim', namespace, claim);
    new k8s.KubePersistentVolumeClaim(owner, 'Claim', {
      metadata: { name: claim, namespace, labels },
      spec: {
        accessModes: [volume._new.accessMode ?? ModelVolumeAccessMode.READ_WRITE_MANY],
        storageClassName: volume._new.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(volume._new.size.asString()) } },
      },
    });
  }
  const builder = new PodSpecBuilder(owner, resolveSecurity(owner));
  builder.restartPolicy = 'Never';
  builder.addScratch('tmp', '/tmp', FILL_SCRATCH);
  builder.addVolume({ name: 'model', persistentVolumeClaim: { claimName: claim } });
  const files = credentialsFiles(builder, input.uri, input.scheme, input.credentialsSecret, input.credentialsSecretKey);
  const mount = { name: 'model', mountPath: input.mountPath };
  const resources = computeResources({ ...input.resources, otherRequests: { 'ephemeral-storage': FILL_SCRATCH } });
  resources.limits!['ephemeral-storage'] = k8s.Quantity.fromString(FILL_SCRATCH);
  builder.addContainer({
    name: 'model-download',
    image: input.image,
    command: downloadUnlessFilled(input.uri, `${input.mountPath}/${directory}`, `${input.mountPath}/${marker}`),
    env: [{ name: 'HOME', value: '/tmp' }, ...files.env],
    resources,
    volumeMounts: [mount, ...files.mounts],
  }, { init: true });
  // Written last, after the download exited 0: the servers' wait step starts them only then.
  builder.addContainer({
    name: 'mark-complete',
    image: input.image,
    command: ['/bin/sh', '-c', 'echo "$0" > "$1"', input.uri, `${input.mountPath}/${marker}`],
    resources: computeResources({ cpu: '10m', memory: '32Mi' }),
    volumeMounts: [mount],
  });
  const jobName = resourceName(scope, ['model', hash]);
  claimName(owner, 'Job', namespace, jobName);
  new k8s.KubeJob(owner, 'Job', {
    metadata: { name: jobName, namespace, labels },
    spec: {
      backoffLimit: 6,
      // Kept a day for its logs; a GitOps re-sync that re-creates it afterwards finds the marker and exits at once.
      ttlSecondsAfterFinished: FINISHED_FILL_TTL_SECONDS,
      template: { metadata: { labels }, spec: builder.build() },
    },
  });
  // The Job's pods download, not the servers: in a tenant they get the model-download allow (modelDownloads).
  if (input.scheme !== 'oci') {
    needEgress({
      scope: owner,
      name: 'model-download',
      kind: EgressNeedKind.MODEL_DOWNLOAD,
      description: `the Job ${jobName} fills the shared model volume ${claim}`,
      from: { namespace, podLabels: labels },
      destination: input.uri.replace(/^([a-z0-9]+:\/\/[^/]*).*$/, '$1'), // scheme and host (bucket), as for the servers
    });
  }
  owner.filled = { claimName: claim, directory, marker };
  return owner.filled;
}

/**
 * The servers' wait step: an init container that polls for the Job's completion marker on the read-only volume.
 */
export function waitForFill(builder: PodSpecBuilder, image: string, volumeName: string, mountPath: string, filled: FilledVolume): void {
  builder.addContainer({
    name: 'model-wait',
    image,
    command: ['/bin/sh', '-c', `until [ -f "$0" ]; do echo "waiting for ${filled.writer ?? 'the model download Job'} to write $0"; sleep 10; done`,
      `${mountPath}/${filled.marker}`],
    resources: computeResources({ cpu: '10m', memory: '32Mi' }),
    volumeMounts: [{ name: volumeName, mountPath, readOnly: true }],
    // It only reads: read-only even in a server pod whose GPU container needs a writable root.
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}
