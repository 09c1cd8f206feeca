import { IConstruct } from 'constructs';
import { LoraAdapter, LoraAdapterKind } from './lora-adapter';
import { ModelCache, ModelCacheKind } from './model-cache';
import { ModelSource, ModelSourceKind } from './model-source';
import { LaunchAdapter, ServerEngine } from './server-engine';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';
import { PodSpecBuilder } from '../internal/pod-spec';

/** The KServe storage initializer the library pins for `storageUri` sources (kserve/kserve v0.20.0). */
export const STORAGE_INITIALIZER_IMAGE = 'kserve/storage-initializer:v0.20.0';
/** Where the model cache is mounted; `HF_HOME` points here. */
export const MODEL_CACHE_PATH = '/var/cache/models';
/** Where a downloaded or mounted model lives in the pod. */
export const MODEL_PATH = '/mnt/models';
const MODEL_VOLUME = 'model';
const CACHE_VOLUME = 'model-cache';

/** How the model reaches the server container. */
export interface ModelMount {
  /** What the engine loads (Hugging Face id or path). */
  readonly model: string;
  /** The revision the engine passes, when it downloads itself. */
  readonly revision?: string;
  /** Env for the server container (token references, cache location). */
  readonly env: k8s.EnvVar[];
  /** Mounts for the server container. */
  readonly mounts: k8s.VolumeMount[];
  /** Ephemeral storage the download and cache volumes may use, in bytes (for the request). */
  readonly ephemeralBytes: number;
  readonly adapters: LaunchAdapter[];
}

function tokenEnv(secret: string | undefined, key: string): k8s.EnvVar[] {
  if (!secret) return [];
  const ref = { secretKeyRef: { name: secret, key } };
  // Both names: newer hubs read HF_TOKEN, older clients HUGGING_FACE_HUB_TOKEN.
  return [{ name: 'HF_TOKEN', valueFrom: ref }, { name: 'HUGGING_FACE_HUB_TOKEN', valueFrom: ref }];
}

/**
 * Adds the volumes and init containers the model source, cache and adapters need to `builder`, and says what the
 * server loads. Secrets are referenced by name only.
 */
export function mountModel(scope: IConstruct, builder: PodSpecBuilder, engine: ServerEngine, source: ModelSource, cache: ModelCache,
  adapters: LoraAdapter[]): ModelMount {
  const env: k8s.EnvVar[] = [{ name: 'HF_HOME', value: MODEL_CACHE_PATH }];
  const mounts: k8s.VolumeMount[] = [{ name: CACHE_VOLUME, mountPath: MODEL_CACHE_PATH }];
  let ephemeralBytes = 0;
  if (cache.kind === ModelCacheKind.PERSISTENT_VOLUME_CLAIM) {
    builder.addVolume({ name: CACHE_VOLUME, persistentVolumeClaim: { claimName: cache.claimName! } });
  } else {
    builder.addVolume({ name: CACHE_VOLUME, emptyDir: { sizeLimit: cache.size ? k8s.Quantity.fromString(cache.size.asString()) : undefined } });
    ephemeralBytes += cache.size ? cache.size.toKibibytes() * 1024 : 0;
  }

  let model: string;
  let revision: string | undefined;
  let hasModelVolume = false;
  const hf = source._hf;
  switch (source.kind) {
    case ModelSourceKind.HUGGING_FACE:
      if (engine.downloadsFromHub) {
        model = source.location;
        revision = hf.revision;
        env.push(...tokenEnv(hf.tokenSecret, hf.tokenSecretKey ?? 'token'));
      } else {
        if (hf.revision !== undefined) {
          throw new ValidationError(scope, 'model.revision', `${engine.displayName} does not download from the Hub itself, so the model is ` +
            'fetched by the storage initializer, which takes no revision; pin the revision in a storageUri (hf://) or a volume');
        }
        addDownload(builder, `hf://${source.location}`, STORAGE_INITIALIZER_IMAGE, tokenEnv(hf.tokenSecret, hf.tokenSecretKey ?? 'token'), undefined);
        builder.addVolume({ name: MODEL_VOLUME, emptyDir: {} });
        model = MODEL_PATH;
        hasModelVolume = true;
      }
      break;
    case ModelSourceKind.PERSISTENT_VOLUME_CLAIM:
      builder.addVolume({ name: MODEL_VOLUME, persistentVolumeClaim: { claimName: source.location, readOnly: true } });
      model = source._pvc.path ? `${MODEL_PATH}/${source._pvc.path}` : MODEL_PATH;
      hasModelVolume = true;
      break;
    default: {
      const opts = source._uri;
      builder.addVolume({ name: MODEL_VOLUME, emptyDir: { sizeLimit: opts.size ? k8s.Quantity.fromString(opts.size.asString()) : undefined } });
      ephemeralBytes += opts.size ? opts.size.toKibibytes() * 1024 : 0;
      if (source.scheme === 'oci') {
        addOciCopy(builder, source.location.slice('oci://'.length), opts.ociModelPath ?? '/models');
      } else {
        addDownload(builder, source.location, opts.initializerImage ?? STORAGE_INITIALIZER_IMAGE, [], opts.credentialsSecret);
      }
      model = MODEL_PATH;
      hasModelVolume = true;
    }
  }
  if (hasModelVolume) {
    mounts.push({ name: MODEL_VOLUME, mountPath: MODEL_PATH, readOnly: true });
  }

  const launchAdapters = adapters.map((a, i) => {
    if (a.kind === LoraAdapterKind.MODEL_PATH && !hasModelVolume) {
      throw invalidProp(scope, `loraAdapters[${i}]`, a.name, 'a Hugging Face adapter: a model-path adapter needs a model volume ' +
        '(a PersistentVolumeClaim or storageUri model source)');
    }
    return { name: a.name, source: a.kind === LoraAdapterKind.HUGGING_FACE ? a.location : `${MODEL_PATH}/${a.location}` };
  });
  return { model, revision, env, mounts, ephemeralBytes, adapters: launchAdapters };
}

function addDownload(builder: PodSpecBuilder, uri: string, image: string, env: k8s.EnvVar[], credentialsSecret: string | undefined): void {
  builder.addContainer({
    name: 'model-download',
    image,
    args: [uri, MODEL_PATH],
    env: [{ name: 'HOME', value: '/tmp' }, ...env],
    envFrom: credentialsSecret ? [{ secretRef: { name: credentialsSecret } }] : undefined,
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_PATH }],
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}

function addOciCopy(builder: PodSpecBuilder, image: string, path: string): void {
  builder.addContainer({
    name: 'model-copy',
    image,
    command: ['cp', '-R', `${path}/.`, `${MODEL_PATH}/`],
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_PATH }],
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}
