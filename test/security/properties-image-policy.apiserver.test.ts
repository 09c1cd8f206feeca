/**
 * fast-check over ImageSigningPolicy with attestations (issue 19, supply chain): generated policies (globs, keyless,
 * GitHub Actions and key authorities, SLSA provenance v1 and v0.2 with builders and repositories, vulnerability scans
 * with a maximum age and scanner) are accepted by policy-controller's CRD on the real apiserver with nothing dropped,
 * and every authority carries every attestation under a unique name.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { ImageAttestation, SlsaProvenanceVersion } from '../../src/security/image-attestation';
import { ImagePolicyMode, ImageSigningPolicy } from '../../src/security/image-signing-policy';
import { SigningAuthority } from '../../src/security/signing-authority';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);

const authority = fc.oneof(
  fc.record({ kind: fc.constant('github'), repo: fc.tuple(segment, segment).map(([o, r]) => `${o}/${r}`) }),
  fc.record({ kind: fc.constant('keyless'), subject: segment.map((s) => `${s}@acme.example`) }),
  fc.record({ kind: fc.constant('key') }),
);
const attestation = fc.oneof(
  fc.record({
    kind: fc.constant('slsa'),
    builder: fc.constantFrom('https://github.com/actions/runner/github-hosted', 'https://tekton.dev/chains/v2', 'https://cloudbuild.googleapis.com/GoogleHostedWorker'),
    repo: fc.tuple(segment, segment).map(([o, r]) => `https://github.com/${o}/${r}`),
    v02: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('scan'), hours: fc.integer({ min: 1, max: 24 * 90 }), scanner: fc.option(fc.constantFrom('pkg:github/aquasecurity/trivy', 'pkg:github/anchore/grype'), { nil: undefined }) }),
);
const policyArb = fc.record({
  globs: fc.uniqueArray(segment.map((s) => `ghcr.io/${s}/**`), { minLength: 1, maxLength: 3 }),
  authorities: fc.array(authority, { minLength: 1, maxLength: 3 }),
  attestations: fc.array(attestation, { minLength: 1, maxLength: 4 }),
  enforce: fc.boolean(),
});
type PolicyValue = typeof policyArb extends fc.Arbitrary<infer T> ? T : never;

function build(v: PolicyValue): Chart {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.SIGSTORE_POLICY_CONTROLLER] });
  const chart = new Chart(app, 'provenance');
  const policy = new ImageSigningPolicy(chart, 'policy', {
    images: v.globs,
    mode: v.enforce ? ImagePolicyMode.ENFORCE : ImagePolicyMode.WARN,
    authorities: v.authorities.map((a) => a.kind === 'github' ? SigningAuthority.githubActions({ repository: (a as any).repo })
      : a.kind === 'keyless' ? SigningAuthority.keyless({ issuer: 'https://accounts.google.com', subject: (a as any).subject })
        : SigningAuthority.publicKey(PEM)),
    attestations: v.attestations.map((a: any) => a.kind === 'slsa'
      ? ImageAttestation.slsaProvenance({ builderId: a.builder, sourceRepository: a.repo, version: a.v02 ? SlsaProvenanceVersion.V0_2 : undefined })
      : ImageAttestation.vulnerabilityScan({ maxAge: Duration.hours(a.hours), scannerUri: a.scanner })),
  });
  const spec = (policy.clusterImagePolicy.toJson() as any).spec;
  for (const auth of spec.authorities) {
    const names = auth.attestations.map((a: any) => a.name);
    if (names.length !== v.attestations.length || new Set(names).size !== names.length) {
      throw new Error(`invariant broken: authority attestations ${names.join(', ')} for ${v.attestations.length} required`);
    }
  }
  return chart;
}

test('200 generated image policies with attestations are accepted by policy-controller\'s CRD', async () => {
  const report = await checkProperty(policyArb, build, { numRuns: 200 });
  console.log(`[image-policy properties] ${JSON.stringify(report)}`);
  expect(report.numRuns).toBe(200);
  expect(report.objects).toBeGreaterThanOrEqual(200);
}, APISERVER_TIMEOUT);
