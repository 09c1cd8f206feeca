/**
 * Model provenance (issue 19, supply chain): a model source that requires an OpenSSF model signature gets an init
 * step running `model_signing verify` (sigstore/model-transparency v1.1.1) on the model directory after the
 * download and before the server, restricted like every other container, with the public key as a mounted file.
 */
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { downloadSource } from '../../src/serving/model-mount';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSignature, ModelSignatureKind } from '../../src/serving/model-signature';
import { ModelSource } from '../../src/serving/model-source';
import { badInputCatalogue } from '../harness';

const VERIFIER = `ghcr.io/sigstore/model-transparency-cli:v1.1.1@sha256:${'c'.repeat(64)}`;
const server = (objects: any[], name: string) => findObject(objects, 'Deployment', name).spec.template.spec;
const KEYLESS = () => ModelSignature.sigstore({ identity: 'ml-release@acme.dev', issuer: 'https://accounts.google.com', verifierImage: VERIFIER });

describe('ModelSignature', () => {
  test('storageUri (s3): download, then verify (keyless), then the server; the verifier is restricted and reads the model read-only', () => {
    const { chart } = newChart();
    llama(chart, 'signed', ModelServer.vllm(), { model: ModelSource.storageUri('s3://models/llama', { credentialsSecret: 's3', signature: KEYLESS() }) });
    const spec = server(objectsOf(chart), 'signed');
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['model-download', 'model-verify']);
    const verify = spec.initContainers[1];
    expect(verify.image).toBe(VERIFIER);
    expect(verify.imagePullPolicy).toBe('IfNotPresent');
    expect(verify.command).toEqual(['model_signing', 'verify', 'sigstore', '/mnt/models', '--signature', '/mnt/models/model.sig',
      '--identity', 'ml-release@acme.dev', '--identity_provider', 'https://accounts.google.com']);
    expect(verify.volumeMounts).toEqual(expect.arrayContaining([{ name: 'model', mountPath: '/mnt/models', readOnly: true }]));
    expect(verify.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(verify.env).toEqual([{ name: 'HOME', value: '/tmp' }]);
    // the verifier never sees the download credentials
    expect(JSON.stringify(verify)).not.toContain('model-credentials');
    expect(spec.containers[0].args[0]).toBe('/mnt/models');
  });

  test('public key from a ConfigMap or a Secret, mounted as a file; PVC sub-path verified in place', () => {
    const { chart } = newChart();
    llama(chart, 'pvc', ModelServer.vllm(), {
      model: ModelSource.persistentVolumeClaim('models', { path: 'llama', signature: ModelSignature.publicKey({ publicKeyConfigMap: 'signing-key', verifierImage: VERIFIER }) }),
    });
    llama(chart, 'oci', ModelServer.vllm(), {
      model: ModelSource.storageUri('oci://registry.example.com/m:1', {
        signature: ModelSignature.publicKey({ publicKeySecret: 'signing-key', publicKeyKey: 'cosign.pub', signaturePath: 'sigs/model.sig', verifierImage: VERIFIER }),
      }),
    });
    const objects = objectsOf(chart);
    const pvc = server(objects, 'pvc');
    expect(pvc.initContainers.map((c: any) => c.name)).toEqual(['model-verify']);
    expect(pvc.initContainers[0].command).toEqual(['model_signing', 'verify', 'key', '/mnt/models/llama', '--signature', '/mnt/models/llama/model.sig',
      '--public_key', '/var/run/secrets/model-signing/key.pub']);
    expect(pvc.volumes).toEqual(expect.arrayContaining([
      { name: 'model-signing-key', configMap: { name: 'signing-key', items: [{ key: 'key.pub', path: 'key.pub' }], defaultMode: 0o440 } },
    ]));
    expect(pvc.initContainers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: 'model-signing-key', mountPath: '/var/run/secrets/model-signing', readOnly: true }]));
    // the server container does not get the key
    expect(JSON.stringify(pvc.containers)).not.toContain('model-signing-key');
    const oci = server(objects, 'oci');
    expect(oci.initContainers.map((c: any) => c.name)).toEqual(['model-copy', 'model-verify']);
    expect(oci.initContainers[1].command).toContain('/mnt/models/sigs/model.sig');
    expect(oci.volumes).toEqual(expect.arrayContaining([
      { name: 'model-signing-key', secret: { secretName: 'signing-key', items: [{ key: 'cosign.pub', path: 'key.pub' }], defaultMode: 0o440 } },
    ]));
  });

  test('a signed Hugging Face model is downloaded by an init step even for vLLM, and huggingface_hub\'s .cache is ignored', () => {
    const { chart } = newChart();
    llama(chart, 'hub', ModelServer.vllm(), { model: ModelSource.huggingFace('acme/llama', { tokenSecret: 'hf-token', signature: KEYLESS() }) });
    const spec = server(objectsOf(chart), 'hub');
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['model-download', 'model-verify']);
    expect(spec.initContainers[0].args).toEqual(['hf://acme/llama', '/mnt/models']);
    expect(spec.initContainers[1].command).toEqual(expect.arrayContaining(['--ignore-paths', '/mnt/models/.cache']));
    expect(spec.containers[0].args[0]).toBe('/mnt/models');
    // the token is for the download step; the verifier does not get it
    expect(JSON.stringify(spec.initContainers[1])).not.toContain('hf-token');
  });

  test('keyless verification needs Sigstore\'s trust root: the model-download egress says so; a key needs none', () => {
    const keyless = ModelSource.persistentVolumeClaim('models', { signature: KEYLESS() });
    const key = ModelSource.persistentVolumeClaim('models', { signature: ModelSignature.publicKey({ publicKeySecret: 'k', verifierImage: VERIFIER }) });
    expect(keyless.signature?.kind).toBe(ModelSignatureKind.SIGSTORE);
    expect(key.signature?.description).toBe('public key from Secret k/key.pub');
    expect(downloadSource(keyless, [])).toBe('Sigstore\'s trust root for the model signature (tuf-repo-cdn.sigstore.dev, HTTPS)');
    expect(downloadSource(key, [])).toBeUndefined();
  });

  test('no signature: no verify step (unchanged)', () => {
    const { chart } = newChart();
    llama(chart, 'plain', ModelServer.vllm(), { model: ModelSource.storageUri('s3://models/llama') });
    expect(server(objectsOf(chart), 'plain').initContainers.map((c: any) => c.name)).toEqual(['model-download']);
  });
});

const js = (x: unknown): any => x;
badInputCatalogue([
  {
    name: 'model verifier image by tag (not digest-pinned)',
    build: () => { ModelSignature.sigstore({ identity: 'a@b.c', issuer: 'https://accounts.google.com', verifierImage: 'ghcr.io/sigstore/model-transparency-cli:v1.1.1' }); },
    error: '[ModelSignature.sigstore] options.verifierImage (options.verifier_image): got "ghcr.io/sigstore/model-transparency-cli:v1.1.1"; expected an image pinned by digest',
  },
  { name: 'model signature with an empty identity', build: () => { ModelSignature.sigstore({ identity: '', issuer: 'https://accounts.google.com', verifierImage: VERIFIER }); }, error: '[ModelSignature.sigstore] options.identity: got ""; expected the signer identity' },
  { name: 'model signature with an http issuer', build: () => { ModelSignature.sigstore({ identity: 'a@b.c', issuer: 'http://issuer', verifierImage: VERIFIER }); }, error: 'options.issuer: got "http://issuer"; expected an https:// OIDC issuer URL' },
  { name: 'model signature path outside the model', build: () => { ModelSignature.sigstore({ identity: 'a@b.c', issuer: 'https://i', verifierImage: VERIFIER, signaturePath: '../model.sig' }); }, error: 'options.signaturePath (options.signature_path): got "../model.sig"; expected a relative path inside the model directory' },
  { name: 'model public key from neither a Secret nor a ConfigMap', build: () => { ModelSignature.publicKey({ verifierImage: VERIFIER }); }, error: '[ModelSignature.publicKey (public_key)] options.publicKeySecret (options.public_key_secret): give exactly one of publicKeySecret and publicKeyConfigMap' },
  { name: 'model public key from both a Secret and a ConfigMap', build: () => { ModelSignature.publicKey({ publicKeySecret: 'a', publicKeyConfigMap: 'b', verifierImage: VERIFIER }); }, error: 'give exactly one of publicKeySecret and publicKeyConfigMap' },
  {
    name: 'model public key given as a literal PEM instead of a Secret name',
    build: () => { ModelSignature.publicKey({ publicKeySecret: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----', verifierImage: VERIFIER }); },
    error: 'options.publicKeySecret (options.public_key_secret): got "a PEM key"; expected the name of a Secret (DNS-1123 subdomain) holding the PEM public key, never the key itself',
  },
  { name: 'model public key with a bad key name', build: () => { ModelSignature.publicKey({ publicKeyConfigMap: 'k', publicKeyKey: 'a b', verifierImage: VERIFIER }); }, error: 'options.publicKeyKey (options.public_key_key): got "a b"; expected a Secret or ConfigMap key' },
  {
    name: 'signed Hugging Face model with a revision (the storage initializer takes none)',
    build: (s) => { llama(s as any, 'llm', ModelServer.vllm(), { model: ModelSource.huggingFace('acme/llama', { revision: 'abc', signature: KEYLESS() }) }); },
    error: '[bad-input/llm] model.revision: a signed Hugging Face model is fetched by the storage initializer',
  },
  {
    name: 'model signature that is not a ModelSignature (JavaScript)',
    build: (s) => { llama(s as any, 'llm', ModelServer.vllm(), { model: ModelSource.persistentVolumeClaim('m', { signature: js('model.sig') }) }); },
    error: '[bad-input/llm] model.signature: got "model.sig" (a string); expected a ModelSignature such as ModelSignature.sigstore',
  },
], { title: 'model signature bad inputs' });
