import { IConstruct } from 'constructs';
import { LoraAdapter, LoraAdapterKind } from './lora-adapter';
import { ModelCache, ModelCacheKind } from './model-cache';
import { ModelSource, ModelSourceKind } from './model-source';
import { LaunchAdapter, ServerEngine } from './server-engine';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';
import { computeResources, PodSpecBuilder } from '../security/pod-spec';

/** The KServe storage initializer the library pins for `storageUri` sources (kserve/kserve v0.20.0). */
export const STORAGE_INITIALIZER_IMAGE = 'kserve/storage-initializer:v0.20.0';
/** Where the model cache is mounted; `HF_HOME` points here. */
export const MODEL_CACHE_PATH = '/var/cache/models';
/** Where a downloaded or mounted model lives in the pod. */
export const MODEL_PATH = '/mnt/models';
const MODEL_VOLUME = 'model';
const CACHE_VOLUME = 'model-cache';
const TOKEN_VOLUME = 'hf-token';
/** Where the Hugging Face token Secret is mounted (a file, never an environment variable). */
export const HF_TOKEN_DIR = '/var/run/secrets/huggingface';
const TOKEN_FILE = 'token';
const CREDENTIALS_VOLUME = 'model-credentials';
/** Where a storageUri's credentials Secret key is mounted for the download step (a file, never environment variables). */
export const MODEL_CREDENTIALS_DIR = '/var/run/secrets/model-storage';
const CREDENTIALS_FILE = 'credentials';
/** The variables that point each download library at the credentials file. */
const CREDENTIALS_FILE_ENV: { [scheme: string]: string[] } = {
  s3: ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'],
  gs: ['GOOGLE_APPLICATION_CREDENTIALS'],
};
/**
 * Resources of the init containers that fetch a model: KServe's storage-initializer defaults (limits 1 CPU, 1Gi),
 * as requests and limits. A download streams to the volume, so memory does not grow with the model.
 */
const FETCH_RESOURCES = { cpu: '1', memory: '1Gi' };

/** How the model reaches the server container. */
export interface ModelMount {
  /** What the engine loads (Hugging Face id or path). */
  readonly model: string;
  /** The revision the engine passes, when it downloads itself. */
  readonly revision?: string;
  /** Env for the server container (token file path, cache location). */
  readonly env: k8s.EnvVar[];
  /** Mounts for the server container. */
  readonly mounts: k8s.VolumeMount[];
  /** Ephemeral storage the download and cache volumes may use, in bytes (for the request). */
  readonly ephemeralBytes: number;
  readonly adapters: LaunchAdapter[];
}

/**
 * The Hugging Face token as a file: the Secret's key is mounted read-only at `HF_TOKEN_DIR/token`, and
 * `HF_TOKEN_PATH` points at it (huggingface_hub reads the token from that file when `HF_TOKEN` is unset; vLLM,
 * SGLang, TGI's download step and the KServe storage initializer all download through huggingface_hub). A token in
 * an environment variable leaks into crash dumps, `/proc/<pid>/environ` and child processes (checkov CKV_K8S_35).
 */
function tokenFile(builder: PodSpecBuilder, secret: string | undefined, key: string): { env: k8s.EnvVar[]; mounts: k8s.VolumeMount[] } {
  if (!secret) return { env: [], mounts: [] };
  // 0440: readable by the user and the pod's fsGroup only.
  builder.addVolume({ name: TOKEN_VOLUME, secret: { secretName: secret, items: [{ key, path: TOKEN_FILE }], defaultMode: 0o440 } });
  return {
    env: [{ name: 'HF_TOKEN_PATH', value: `${HF_TOKEN_DIR}/${TOKEN_FILE}` }],
    mounts: [{ name: TOKEN_VOLUME, mountPath: HF_TOKEN_DIR, readOnly: true }],
  };
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
  const signature = source.signature;
  switch (source.kind) {
    case ModelSourceKind.HUGGING_FACE:
      if (engine.downloadsFromHub && !signature) {
        model = source.location;
        revision = hf.revision;
        const token = tokenFile(builder, hf.tokenSecret, hf.tokenSecretKey ?? 'token');
        env.push(...token.env);
        mounts.push(...token.mounts);
      } else {
        if (hf.revision !== undefined && signature) {
          throw new ValidationError(scope, 'model.revision', 'a signed Hugging Face model is fetched by the storage initializer (so the files are ' +
            'verified before the server reads them), which takes no revision; pin the revision in a storageUri (hf://) or a volume');
        }
        if (hf.revision !== undefined) {
          throw new ValidationError(scope, 'model.revision', `${engine.displayName} does not download from the Hub itself, so the model is ` +
            'fetched by the storage initializer, which takes no revision; pin the revision in a storageUri (hf://) or a volume');
        }
        addDownload(builder, `hf://${source.location}`, STORAGE_INITIALIZER_IMAGE, tokenFile(builder, hf.tokenSecret, hf.tokenSecretKey ?? 'token'), undefined);
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
        addDownload(builder, source.location, opts.initializerImage ?? STORAGE_INITIALIZER_IMAGE,
          credentialsFiles(builder, source.scheme!, opts.credentialsSecret, opts.credentialsSecretKey),
          source.scheme === 'https' ? opts.credentialsSecret : undefined);
      }
      model = MODEL_PATH;
      hasModelVolume = true;
    }
  }
  if (hasModelVolume) {
    mounts.push({ name: MODEL_VOLUME, mountPath: MODEL_PATH, readOnly: true });
  }
  if (signature) {
    // After the download or copy init container (init containers run in order), before the server.
    const fromHub = source.kind === ModelSourceKind.HUGGING_FACE || source.scheme === 'hf';
    // huggingface_hub's snapshot_download(local_dir=...) keeps its download metadata in <dir>/.cache/huggingface.
    signature._addVerifier(builder, model, { name: MODEL_VOLUME, mountPath: MODEL_PATH }, fromHub ? [`${MODEL_PATH}/.cache`] : []);
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

/**
 * A storageUri's credentials as a file for the download step: the Secret's key mounted read-only, and the variables
 * that make boto3 (`s3://`), google-auth (`gs://`) or huggingface_hub (`hf://`) read it. Nothing for `https://`,
 * whose credentials the storage initializer reads from environment variables only (see `addDownload`).
 */
function credentialsFiles(builder: PodSpecBuilder, scheme: string, secret: string | undefined, key: string | undefined):
{ env: k8s.EnvVar[]; mounts: k8s.VolumeMount[] } {
  if (!secret || scheme === 'https') return { env: [], mounts: [] };
  if (scheme === 'hf') return tokenFile(builder, secret, key ?? TOKEN_FILE);
  // 0440: readable by the user and the pod's fsGroup only.
  builder.addVolume({
    name: CREDENTIALS_VOLUME,
    secret: { secretName: secret, items: [{ key: key ?? CREDENTIALS_FILE, path: CREDENTIALS_FILE }], defaultMode: 0o440 },
  });
  const file = `${MODEL_CREDENTIALS_DIR}/${CREDENTIALS_FILE}`;
  return {
    env: (CREDENTIALS_FILE_ENV[scheme] ?? []).map((name) => ({ name, value: file })),
    mounts: [{ name: CREDENTIALS_VOLUME, mountPath: MODEL_CREDENTIALS_DIR, readOnly: true }],
  };
}

/**
 * Where the server pods download weights from, for the tenant's egress (undefined when nothing is downloaded over
 * the pod network: a volume, or an `oci://` model image the kubelet pulls).
 */
export function downloadSource(source: ModelSource, adapters: LoraAdapter[]): string | undefined {
  const where: string[] = [];
  if (source.kind === ModelSourceKind.HUGGING_FACE) where.push(`the Hugging Face Hub (huggingface.co, HTTPS): ${source.location}`);
  if (source.signature?._needsNetwork) where.push('Sigstore\'s trust root for the model signature (tuf-repo-cdn.sigstore.dev, HTTPS)');
  if (source.kind === ModelSourceKind.STORAGE_URI && source.scheme !== 'oci') {
    where.push(source.location.replace(/^([a-z0-9]+:\/\/[^/]*).*$/, '$1')); // scheme and host (bucket)
  }
  const hubAdapters = adapters.filter((a) => a.kind === LoraAdapterKind.HUGGING_FACE).map((a) => a.location);
  if (hubAdapters.length) where.push(`LoRA adapters from the Hugging Face Hub: ${hubAdapters.join(', ')}`);
  return where.length ? where.join('; ') : undefined;
}

/**
 * The download init container. `envSecret` (https:// URIs only) becomes environment variables: the storage
 * initializer reads https and Azure Blob credentials from the environment only; every other scheme gets its
 * credentials as a file (`files`).
 */
function addDownload(builder: PodSpecBuilder, uri: string, image: string, files: { env: k8s.EnvVar[]; mounts: k8s.VolumeMount[] },
  envSecret: string | undefined): void {
  builder.addContainer({
    name: 'model-download',
    image,
    args: [uri, MODEL_PATH],
    env: [{ name: 'HOME', value: '/tmp' }, ...files.env],
    envFrom: envSecret ? [{ secretRef: { name: envSecret } }] : undefined,
    resources: computeResources(FETCH_RESOURCES),
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_PATH }, ...files.mounts],
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}

function addOciCopy(builder: PodSpecBuilder, image: string, path: string): void {
  builder.addContainer({
    name: 'model-copy',
    image,
    command: ['cp', '-R', `${path}/.`, `${MODEL_PATH}/`],
    resources: computeResources(FETCH_RESOURCES),
    volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_PATH }],
    securityContext: { readOnlyRootFilesystem: true },
  }, { init: true });
}
