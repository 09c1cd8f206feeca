import * as k8s from '../imports/k8s';
import { PodSpecBuilder } from '../security/pod-spec';

/** Where the Hugging Face token Secret is mounted (a file, never an environment variable). */
export const HF_TOKEN_DIR = '/var/run/secrets/huggingface';
/** Where a storageUri's credentials Secret key is mounted for the download step (a file, never environment variables). */
export const MODEL_CREDENTIALS_DIR = '/var/run/secrets/model-storage';
const TOKEN_VOLUME = 'hf-token';
const TOKEN_FILE = 'token';
const CREDENTIALS_VOLUME = 'model-credentials';
const CREDENTIALS_FILE = 'credentials';
/** The variables that point each download library at the credentials file. */
const CREDENTIALS_FILE_ENV: { [scheme: string]: string[] } = {
  s3: ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'],
  gs: ['GOOGLE_APPLICATION_CREDENTIALS'],
};
/**
 * The Azure hosts the KServe storage initializer recognises (kserve/kserve v0.20.0
 * python/storage/kserve_storage/kserve_storage.py `_AZURE_BLOB_RE`, `_AZURE_FILE_RE`).
 */
const AZURE_BLOB_HOSTS = [/^https:\/\/(.+?)\.blob\.core\.windows\.net\/(.+)/, /^https:\/\/(.+?)\.z[0-9]{1,2}\.blob\.storage\.azure\.net\/(.+)/];
const AZURE_FILE_HOSTS = [/^https:\/\/(.+?)\.file\.core\.windows\.net\/(.+)/, /^https:\/\/(.+?)\.z[0-9]{1,2}\.file\.storage\.azure\.net\/(.+)/];

/** The env and mounts a download step (or server) needs for its credentials. */
export interface CredentialInputs {
  readonly env: k8s.EnvVar[];
  readonly mounts: k8s.VolumeMount[];
}

/** How the credentials of an `https://` URI reach the KServe storage initializer. */
export enum HttpsCredentialKind {
  /** Azure Blob Storage: a service principal's client certificate as a file. */
  AZURE_BLOB = 'AzureBlob',
  /** Azure Files: the storage account key (the initializer reads it from the environment only). */
  AZURE_FILE = 'AzureFile',
  /** Any other host: request headers (the initializer reads them from the environment only). */
  HEADERS = 'Headers',
}

export function httpsCredentialKind(uri: string): HttpsCredentialKind {
  if (AZURE_BLOB_HOSTS.some((r) => r.test(uri))) return HttpsCredentialKind.AZURE_BLOB;
  if (AZURE_FILE_HOSTS.some((r) => r.test(uri))) return HttpsCredentialKind.AZURE_FILE;
  return HttpsCredentialKind.HEADERS;
}

/** The host of an `https://` URI, as Python's `urlparse(uri).hostname` gives it (lower case, no port or user). */
export function httpsHost(uri: string): string {
  return (/^https:\/\/(?:[^/@]*@)?([^/:?#]+)/.exec(uri)?.[1] ?? '').toLowerCase();
}

/**
 * The Hugging Face token as a file: the Secret's key is mounted read-only at `HF_TOKEN_DIR/token`, and
 * `HF_TOKEN_PATH` points at it (huggingface_hub reads the token from that file when `HF_TOKEN` is unset; vLLM,
 * SGLang, TGI's download step and the KServe storage initializer all download through huggingface_hub). A token in
 * an environment variable leaks into crash dumps, `/proc/<pid>/environ` and child processes (checkov CKV_K8S_35).
 */
export function tokenFile(builder: PodSpecBuilder, secret: string | undefined, key: string): CredentialInputs {
  if (!secret) return { env: [], mounts: [] };
  // 0440: readable by the user and the pod's fsGroup only.
  builder.addVolume({ name: TOKEN_VOLUME, secret: { secretName: secret, items: [{ key, path: TOKEN_FILE }], defaultMode: 0o440 } });
  return {
    env: [{ name: 'HF_TOKEN_PATH', value: `${HF_TOKEN_DIR}/${TOKEN_FILE}` }],
    mounts: [{ name: TOKEN_VOLUME, mountPath: HF_TOKEN_DIR, readOnly: true }],
  };
}

/**
 * A storageUri's credentials for the KServe storage initializer (kserve/kserve v0.20.0
 * python/storage/kserve_storage/kserve_storage.py), as files wherever the initializer can read them from a file:
 *
 * - `s3://`: an AWS config file; boto3 reads `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`;
 * - `gs://`: a service-account key; google-auth reads `GOOGLE_APPLICATION_CREDENTIALS`;
 * - `hf://`: a token; huggingface_hub reads `HF_TOKEN_PATH`;
 * - Azure Blob (`https://<account>.blob.core.windows.net/...`): a service principal's PEM client certificate;
 *   `_get_azure_storage_token` uses azure-identity's `DefaultAzureCredential` once `AZURE_CLIENT_ID` is set, whose
 *   `EnvironmentCredential` reads the certificate from `AZURE_CLIENT_CERTIFICATE_PATH`. `AZURE_CLIENT_ID` and
 *   `AZURE_TENANT_ID` are identifiers, not credentials; they come from the Secret's keys of the same names
 *   (`secretKeyRef`).
 *
 * Two cases have no file form in the initializer, and get one `secretKeyRef` variable (never a literal, never the
 * whole Secret as `envFrom`): Azure Files (`AZURE_STORAGE_ACCESS_KEY`, `_get_azure_storage_access_key`) and other
 * `https://` hosts (`<host>-headers`, a JSON object of request headers, `_download_from_uri`).
 */
export function credentialsFiles(builder: PodSpecBuilder, uri: string, scheme: string, secret: string | undefined,
  key: string | undefined): CredentialInputs {
  if (!secret) return { env: [], mounts: [] };
  if (scheme === 'hf') return tokenFile(builder, secret, key ?? TOKEN_FILE);
  const secretKey = key ?? CREDENTIALS_FILE;
  const fromSecret = (name: string, k: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key: k } } });
  if (scheme === 'https') {
    const kind = httpsCredentialKind(uri);
    if (kind === HttpsCredentialKind.AZURE_FILE) return { env: [fromSecret('AZURE_STORAGE_ACCESS_KEY', secretKey)], mounts: [] };
    if (kind === HttpsCredentialKind.HEADERS) return { env: [fromSecret(`${httpsHost(uri)}-headers`, secretKey)], mounts: [] };
  }
  // 0440: readable by the user and the pod's fsGroup only.
  builder.addVolume({
    name: CREDENTIALS_VOLUME,
    secret: { secretName: secret, items: [{ key: secretKey, path: CREDENTIALS_FILE }], defaultMode: 0o440 },
  });
  const file = `${MODEL_CREDENTIALS_DIR}/${CREDENTIALS_FILE}`;
  const env = scheme === 'https'
    ? [{ name: 'AZURE_CLIENT_CERTIFICATE_PATH', value: file }, fromSecret('AZURE_CLIENT_ID', 'AZURE_CLIENT_ID'), fromSecret('AZURE_TENANT_ID', 'AZURE_TENANT_ID')]
    : (CREDENTIALS_FILE_ENV[scheme] ?? []).map((name) => ({ name, value: file }));
  return { env, mounts: [{ name: CREDENTIALS_VOLUME, mountPath: MODEL_CREDENTIALS_DIR, readOnly: true }] };
}
