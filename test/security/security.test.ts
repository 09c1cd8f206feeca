import { App, Chart } from 'cdk8s';
import { GpuServer, platform } from './fixtures';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { warnings } from '../../src/cluster/platform-warnings';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformReport } from '../../src/platform/platform-report';
import { AdmissionAction, ImageAdmissionPolicy } from '../../src/security/image-admission-policy';
import { imageMatchesGlob, normaliseImage } from '../../src/security/image-glob';
import { ImagePolicyMode, ImageSigningPolicy } from '../../src/security/image-signing-policy';
import { SigningAuthority } from '../../src/security/signing-authority';
import { applyObjects, badInputCatalogue, validateChart, validateObjects } from '../harness';

const APISERVER_TIMEOUT = 300_000;
const DIGEST = `@sha256:${'b'.repeat(64)}`;

function withSigstore(app: App): Chart {
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.SIGSTORE_POLICY_CONTROLLER] });
  return new Chart(app, 'bad-input');
}

describe('image globs (policy-controller semantics)', () => {
  test.each([
    ['ghcr.io/acme/**', 'ghcr.io/acme/team/app:1.0', true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/team/app:1.0', false],
    ['ghcr.io/acme/*', 'ghcr.io/acme/app', true],
    ['index.docker.io/library/*', 'busybox', true],
    ['*', 'busybox', true],
    ['*', 'myuser/app', false],
    ['index.docker.io/vllm/**', 'vllm/vllm-openai' + DIGEST, true],
    ['nvcr.io/nvidia/**', 'ghcr.io/nvidia/x', false],
  ])('%s matches %s: %s', (glob, image, expected) => {
    expect(imageMatchesGlob(glob, image)).toBe(expected);
  });

  test('normalises Docker Hub references and adds :latest', () => {
    expect(normaliseImage('busybox')).toBe('index.docker.io/library/busybox:latest');
    expect(normaliseImage('vllm/vllm-openai:v0.11.0')).toBe('index.docker.io/vllm/vllm-openai:v0.11.0');
    expect(normaliseImage('localhost:5000/x')).toBe('localhost:5000/x:latest');
  });
});

describe('ImageSigningPolicy and tenants', () => {
  test('renders a ClusterImagePolicy; the tenant namespace opts in; uncovered images are warned about', () => {
    const p = platform();
    const policy = new ImageSigningPolicy(p.chart, 'signed', {
      images: ['ghcr.io/acme/**'],
      authorities: [SigningAuthority.githubActions({ repository: 'acme/models', workflow: '.github/workflows/release.yaml' })],
    });
    const t = new AiTenant(p.chart, 'team', { team: 't', owner: 'o', costCenter: 'c', imageSigning: [policy], gpuQuota: [{ pool: p.pool, gpus: 2 }] });
    new GpuServer(t, 'ok', { pool: p.pool, gpus: 1, image: `ghcr.io/acme/vllm${DIGEST}` });
    new GpuServer(t, 'stray', { pool: p.pool, gpus: 1, image: 'docker.io/vllm/vllm-openai:v0.11.0' });
    p.app.synthYaml();
    expect(policy.clusterImagePolicy.toJson().spec).toEqual({
      images: [{ glob: 'ghcr.io/acme/**' }],
      authorities: [{
        name: 'authority-0',
        keyless: {
          url: 'https://fulcio.sigstore.dev',
          identities: [{
            issuer: 'https://token.actions.githubusercontent.com',
            subjectRegExp: '^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/.*$',
          }],
        },
      }],
      mode: 'enforce',
    });
    expect(t.namespace.toJson().metadata.labels['policy.sigstore.dev/include']).toBe('true');
    expect(warnings(p.chart)).toEqual([
      '[platform/team] image "docker.io/vllm/vllm-openai:v0.11.0" of Deployment team-stray (spec.template.spec) matches no ClusterImagePolicy glob; in the opted-in namespace team the policy-controller denies it (no-match-policy: deny)',
    ]);
  });

  test('key and KMS authorities', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
    expect(SigningAuthority.publicKey(pem)._render()).toEqual({ key: { data: pem } });
    expect(SigningAuthority.kms('awskms:///arn:aws:kms:eu-west-1:1:key/x')._render()).toEqual({ key: { kms: 'awskms:///arn:aws:kms:eu-west-1:1:key/x' } });
  });

  test('unsigned upstream images: a static pass authority, alone in its policy; the tenant report names the images admitted unsigned', () => {
    const p = platform();
    const signed = new ImageSigningPolicy(p.chart, 'signed', {
      images: ['ghcr.io/acme/**'],
      authorities: [SigningAuthority.githubActions({ repository: 'acme/models' })],
    });
    const upstream = new ImageSigningPolicy(p.chart, 'upstream', { images: ['index.docker.io/vllm/**'], authorities: [SigningAuthority.allowUnsigned()] });
    expect(SigningAuthority.allowUnsigned()._render()).toEqual({ static: { action: 'pass' } });
    expect(SigningAuthority.allowUnsigned().requiresSignature).toBe(false);
    expect(upstream.requiresSignature).toBe(false);
    expect(signed.requiresSignature).toBe(true);
    expect(upstream.clusterImagePolicy.toJson().spec).toEqual({
      images: [{ glob: 'index.docker.io/vllm/**' }],
      authorities: [{ name: 'authority-0', static: { action: 'pass' } }],
      mode: 'enforce',
    });
    const t = new AiTenant(p.chart, 'team', { team: 't', owner: 'o', costCenter: 'c', imageSigning: [signed, upstream], gpuQuota: [{ pool: p.pool, gpus: 2 }] });
    new GpuServer(t, 'ours', { pool: p.pool, gpus: 1, image: `ghcr.io/acme/vllm${DIGEST}` });
    new GpuServer(t, 'upstream', { pool: p.pool, gpus: 1, image: 'vllm/vllm-openai:v0.11.0' });
    p.app.synthYaml();
    // matched by a policy, so the policy-controller admits it (and pins its digest): no warning
    expect(warnings(p.chart).filter((w) => w.includes('vllm-openai'))).toEqual([]);
    const item = new PlatformReport(p.chart, 'Report').model().tenants[0].checklist.find((c: any) => c.id === 'image-signing');
    expect(item).toEqual({
      id: 'image-signing',
      title: 'Signed images',
      pass: true,
      result: 'PASS',
      detail: 'policy-controller enforces signed, upstream on every image; admitted without a signature (digest resolved at admission): vllm/vllm-openai:v0.11.0',
    });
  });

  test('ImageAdmissionPolicy renders CEL for every workload kind and binds to opted-in namespaces', () => {
    const p = platform();
    const vap = new ImageAdmissionPolicy(p.chart, 'trusted', { allowedRegistries: ['ghcr.io/acme/', 'nvcr.io/'], action: AdmissionAction.WARN });
    const spec = vap.policy.toJson().spec;
    expect(spec.variables[0].expression).toContain("object.kind == 'JobSet' ? (object.spec.replicatedJobs.map(r, r.template.spec.template.spec))");
    expect(spec.validations.map((v: any) => v.message)).toEqual([
      'every container image must be pinned by digest (image@sha256:<64 hex digits>)',
      'every container image must come from ghcr.io/acme/, nvcr.io/',
    ]);
    expect(vap.binding.toJson().spec).toEqual({ policyName: 'trusted', validationActions: ['Warn'], matchResources: { namespaceSelector: { matchLabels: { 'image-admission.ai.cdk8s.io/trusted': 'true' } } } });
    expect(vap.violations('docker.io/x:1')).toEqual(['not pinned by digest', 'not from ghcr.io/acme/, nvcr.io/']);
    expect(vap.violations(`ghcr.io/acme/x${DIGEST}`)).toEqual([]);
  });
});

describe('security objects on the real apiserver', () => {
  test('ClusterImagePolicy (keyless, key) is accepted by the CRD', async () => {
    const p = platform();
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
    new ImageSigningPolicy(p.chart, 'signed', {
      images: ['ghcr.io/acme/**', 'index.docker.io/library/*'],
      mode: ImagePolicyMode.WARN,
      authorities: [SigningAuthority.keyless({ issuer: 'https://accounts.google.com', subject: 'ci@acme.dev' }), SigningAuthority.publicKey(pem)],
    });
    await validateChart(p.chart);
  }, APISERVER_TIMEOUT);

  test('ClusterImagePolicy with a static pass authority (unsigned upstream images) is accepted by the CRD, nothing dropped', async () => {
    const p = platform();
    const upstream = new ImageSigningPolicy(p.chart, 'upstream', {
      images: ['index.docker.io/vllm/vllm-openai:*', 'ghcr.io/llm-d/**'],
      authorities: [SigningAuthority.allowUnsigned()],
    });
    const results = await validateChart(p.chart);
    expect(results.length).toBe(p.chart.toJson().length);
    expect(upstream.clusterImagePolicy.toJson().spec.authorities).toEqual([{ name: 'authority-0', static: { action: 'pass' } }]);
  }, APISERVER_TIMEOUT);

  test('the digest/registry admission policy admits pinned trusted images and rejects the rest', async () => {
    const p = platform();
    const vap = new ImageAdmissionPolicy(p.chart, 'trusted', { allowedRegistries: ['ghcr.io/acme/'] });
    const t = new AiTenant(p.chart, 'guarded', { team: 't', owner: 'o', costCenter: 'c', imageAdmission: [vap], gpuQuota: [{ pool: p.pool, gpus: 1 }] });
    new GpuServer(t, 'srv', { pool: p.pool, gpus: 1, image: `ghcr.io/acme/vllm${DIGEST}` });
    await validateChart(p.chart);
    await applyObjects([vap.policy.toJson(), vap.binding.toJson()]);
    const ns = t.namespace.toJson(); // in every set, so the namespace keeps its opt-in label
    const pod = (image: string, name = 'p') => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'guarded' },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'c', image, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      },
    });
    // the policy is compiled asynchronously after creation: wait until it rejects, then check both sides
    let rejected: unknown;
    for (let i = 0; i < 40 && !rejected; i++) {
      try {
        await validateObjects([ns, pod('docker.io/library/busybox:1.36', `wait-${i}`)], { allowDropped: [/.*/] });
        await new Promise((r) => setTimeout(r, 500));
      } catch (e) { rejected = e; }
    }
    expect(String(rejected)).toMatch(/every container image must be pinned by digest/);
    await validateObjects([ns, pod(`ghcr.io/acme/tool${DIGEST}`)], { allowDropped: [/.*/] });
    await expect(validateObjects([ns, pod(`docker.io/library/busybox${DIGEST}`)])).rejects.toThrow(/every container image must come from ghcr.io\/acme\//);
  }, APISERVER_TIMEOUT);
});

badInputCatalogue([
  { name: 'signing policy without globs', build: (s) => { new ImageSigningPolicy(s, 'p', { images: [], authorities: [SigningAuthority.keyless({ issuer: 'https://i', subject: 's' })] }); }, error: '[bad-input/p] images: got []; expected at least one image glob' },
  { name: 'signing policy with an invalid glob', build: (s) => { new ImageSigningPolicy(s, 'p', { images: ['ghcr.io/acme/[a-z]'], authorities: [SigningAuthority.keyless({ issuer: 'https://i', subject: 's' })] }); }, error: '[bad-input/p] images[0]: got "ghcr.io/acme/[a-z]"; expected a glob of [a-zA-Z0-9-_:/*.@], e.g. "ghcr.io/acme/**"' },
  { name: 'signing policy without authorities', build: (s) => { new ImageSigningPolicy(s, 'p', { images: ['ghcr.io/**'], authorities: [] }); }, error: '[bad-input/p] authorities: got []; expected at least one authority' },
  {
    name: 'unsigned pass next to a signature authority (would make the signature optional)',
    build: (s) => { new ImageSigningPolicy(s, 'p', { images: ['ghcr.io/**'], authorities: [SigningAuthority.keyless({ issuer: 'https://i', subject: 's' }), SigningAuthority.allowUnsigned()] }); },
    error: '[bad-input/p] authorities: SigningAuthority.allowUnsigned() (allow_unsigned()) is one of 2 authorities; an image passes when one authority passes, so next to a ' +
      'signature authority it would make the signature optional: give it alone, in its own ImageSigningPolicy for the unsigned images',
  },
  { name: 'keyless identity with issuer and issuerRegex', build: () => { SigningAuthority.keyless({ issuer: 'https://i', issuerRegex: '.*', subject: 's' }); }, error: '[SigningAuthority.keyless] issuer: give exactly one of issuer and issuerRegex' },
  { name: 'keyless identity without subject', build: () => { SigningAuthority.keyless({ issuer: 'https://i' }); }, error: '[SigningAuthority.keyless] subject: give exactly one of subject and subjectRegex' },
  { name: 'GitHub identity with a malformed repository', build: () => { SigningAuthority.githubActions({ repository: 'acme' }); }, error: '[SigningAuthority.githubActions (github_actions)] repository: got "acme"; expected "owner/name"' },
  { name: 'public key that is not PEM', build: () => { SigningAuthority.publicKey('ssh-ed25519 AAAA'); }, error: '[SigningAuthority.publicKey (public_key)] pem: expected a PEM public key' },
  { name: 'KMS URI with an unknown scheme', build: () => { SigningAuthority.kms('vault://x'); }, error: '[SigningAuthority.kms] uri: got "vault://x"; expected awskms://, gcpkms://, azurekms:// or hashivault:// URI' },
  { name: 'admission policy that checks nothing', build: (s) => { new ImageAdmissionPolicy(s, 'p', { requireDigest: false }); }, error: '[bad-input/p] requireDigest (require_digest): the policy checks nothing: set requireDigest or give allowedRegistries' },
  { name: 'admission policy with a bad registry', build: (s) => { new ImageAdmissionPolicy(s, 'p', { allowedRegistries: ["ghcr.io/a' || true"] }); }, error: '[bad-input/p] allowedRegistries[0] (allowed_registries[0]): got "ghcr.io/a\' || true"; expected a registry host with an optional repository prefix' },
], { title: 'security bad inputs', scope: withSigstore });

badInputCatalogue([
  { name: 'signing policy on a cluster without the policy-controller', build: (s) => { new ImageSigningPolicy(s, 'p', { images: ['ghcr.io/**'], authorities: [SigningAuthority.keyless({ issuer: 'https://i', subject: 's' })] }); }, error: 'an ImageSigningPolicy (ClusterImagePolicy) needs sigstore policy-controller, which the ClusterProfile' },
], { title: 'security bad inputs (default profile)' });
