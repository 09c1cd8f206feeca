/**
 * Image and model provenance on the real kube-apiserver (issue 19, supply chain): a ClusterImagePolicy that requires
 * SLSA provenance and vulnerability-scan attestations is accepted by policy-controller's CRD with nothing dropped,
 * and model servers whose model must carry a signature (every source kind, keyless and key) are accepted, their
 * pods (verify init step included) admitted by Pod Security `restricted`.
 */
import { App, Chart, Duration } from 'cdk8s';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { ImageAttestation, SlsaProvenanceVersion } from '../../src/security/image-attestation';
import { ImagePolicyMode, ImageSigningPolicy } from '../../src/security/image-signing-policy';
import { SigningAuthority } from '../../src/security/signing-authority';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSignature } from '../../src/serving/model-signature';
import { ModelSource } from '../../src/serving/model-source';
import { validateChart, validateObjects } from '../harness';
import { llama, newChart, objectsOf } from '../serving/fixtures';

const APISERVER_TIMEOUT = 300_000;
const VERIFIER = `ghcr.io/sigstore/model-transparency-cli:v1.1.1@sha256:${'c'.repeat(64)}`;

test('a ClusterImagePolicy requiring SLSA provenance and a recent scan is accepted by the CRD, nothing dropped', async () => {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.SIGSTORE_POLICY_CONTROLLER] });
  const chart = new Chart(app, 'provenance');
  const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
  const policy = new ImageSigningPolicy(chart, 'attested', {
    images: ['ghcr.io/acme/**'],
    mode: ImagePolicyMode.WARN,
    authorities: [SigningAuthority.githubActions({ repository: 'acme/app' }), SigningAuthority.publicKey(pem)],
    attestations: [
      ImageAttestation.slsaProvenance({ builderId: 'https://github.com/actions/runner/github-hosted', sourceRepository: 'https://github.com/acme/app' }),
      ImageAttestation.slsaProvenance({ builderId: 'https://tekton.dev/chains/v2', sourceRepository: 'https://github.com/acme/app', version: SlsaProvenanceVersion.V0_2 }),
      ImageAttestation.vulnerabilityScan({ maxAge: Duration.days(7), scannerUri: 'pkg:github/aquasecurity/trivy' }),
    ],
  });
  const results = await validateChart(chart);
  expect(results).toHaveLength(1);
  const returned = (results[0].response as any).spec.authorities;
  expect(returned[0].attestations.map((a: any) => a.name)).toEqual(['slsa-provenance', 'slsa-provenance-2', 'vulnerability-scan']);
  expect(returned[1].attestations[2].policy.data).toBe(policy.attestations[2].policy);
}, APISERVER_TIMEOUT);

test('model servers with signed models (keyless and key, every source kind) are accepted; their pods pass Pod Security restricted', async () => {
  const { chart } = newChart();
  const keyless = () => ModelSignature.sigstore({ identity: 'ml-release@acme.dev', issuer: 'https://accounts.google.com', verifierImage: VERIFIER });
  const key = (configMap: boolean) => ModelSignature.publicKey({ ...(configMap ? { publicKeyConfigMap: 'signing-key' } : { publicKeySecret: 'signing-key' }), verifierImage: VERIFIER });
  llama(chart, 's3', ModelServer.vllm(), { model: ModelSource.storageUri('s3://models/llama', { credentialsSecret: 's3', signature: keyless() }) });
  llama(chart, 'hub', ModelServer.sglang(), { model: ModelSource.huggingFace('acme/llama', { tokenSecret: 'hf-token', signature: keyless() }) });
  llama(chart, 'pvc', ModelServer.vllm(), { model: ModelSource.persistentVolumeClaim('models', { path: 'llama', signature: key(true) }) });
  llama(chart, 'oci', ModelServer.vllm(), { model: ModelSource.storageUri(`oci://registry.example.com/m@sha256:${'d'.repeat(64)}`, { signature: key(false) }) });
  const objects = objectsOf(chart);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  expect(deployments.map((d) => d.spec.template.spec.initContainers.at(-1).name)).toEqual(['model-verify', 'model-verify', 'model-verify', 'model-verify']);
  // Pod Security admission warns on a Deployment but rejects a Pod: send each template as a Pod as well.
  const pods = deployments.map((d) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { ...d.spec.template.metadata, name: `${d.metadata.name}-pod`, namespace: d.metadata.namespace }, spec: d.spec.template.spec,
  }));
  const results = await validateObjects([...objects, ...pods]);
  expect(results.length).toBeGreaterThanOrEqual(objects.length + pods.length);
}, APISERVER_TIMEOUT);
