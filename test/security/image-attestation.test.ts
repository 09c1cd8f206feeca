/**
 * Attestations an ImageSigningPolicy requires (issue 19, supply chain): SLSA provenance from a builder and source
 * repository, and a recent vulnerability scan, as sigstore policy-controller ClusterImagePolicy attestation
 * policies. Each generated Rego policy is compiled and evaluated by OPA itself (test/security/opa.ts) against
 * predicates that must pass and predicates that must fail, the way policy-controller evaluates it.
 */
import { App, Chart, Duration } from 'cdk8s';
import { checkPolicy, evaluate } from './opa';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { ImageAttestation, SlsaProvenanceVersion } from '../../src/security/image-attestation';
import { ImageSigningPolicy } from '../../src/security/image-signing-policy';
import { SigningAuthority } from '../../src/security/signing-authority';
import { badInputCatalogue } from '../harness';

/** A cold build of the simulated cluster's binaries (opa among them) takes a while; warm, about a second. */
const OPA_TIMEOUT = 900_000;
const GITHUB_BUILDER = 'https://github.com/actions/runner/github-hosted';
const REPO = 'https://github.com/acme/app';
const KEYLESS = SigningAuthority.githubActions({ repository: 'acme/app' });

function withSigstore(app: App): Chart {
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.SIGSTORE_POLICY_CONTROLLER] });
  return new Chart(app, 'bad-input');
}

/** An in-toto statement as policy-controller hands it to the policy (the verified attestation's payload). */
function statement(predicateType: string, predicate: unknown): unknown {
  return { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'ghcr.io/acme/app', digest: { sha256: 'a'.repeat(64) } }], predicateType, predicate };
}

/** SLSA v1 provenance as GitHub's actions/attest-build-provenance writes it (fields the policy reads, and neighbours). */
function githubProvenance(over: { builder?: string; repository?: string; dependency?: string } = {}): unknown {
  const repository = over.repository ?? REPO;
  return statement(SlsaProvenanceVersion.V1, {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: { workflow: { ref: 'refs/tags/v1.0.0', repository, path: '.github/workflows/release.yml' } },
      internalParameters: { github: { event_name: 'push', repository_id: '1', repository_owner_id: '2' } },
      resolvedDependencies: [{ uri: over.dependency ?? `git+${repository}@refs/tags/v1.0.0`, digest: { gitCommit: 'f'.repeat(40) } }],
    },
    runDetails: { builder: { id: over.builder ?? GITHUB_BUILDER }, metadata: { invocationId: `${repository}/actions/runs/1/attempts/1` } },
  });
}

/** SLSA v0.2 provenance as Tekton Chains writes it. */
function tektonProvenance(builder: string, configSource: string): unknown {
  return statement(SlsaProvenanceVersion.V0_2, {
    builder: { id: builder },
    buildType: 'tekton.dev/v1beta1/TaskRun',
    invocation: { configSource: { uri: configSource, digest: { sha1: 'f'.repeat(40) }, entryPoint: 'build.yaml' }, parameters: {} },
    materials: [{ uri: 'oci://gcr.io/distroless/static', digest: { sha256: 'b'.repeat(64) } }],
  });
}

/** A cosign vuln predicate as `trivy image --format cosign-vuln` writes it. */
function scan(finishedOn: Date | string, scanner = 'pkg:github/aquasecurity/trivy@0.58.1'): unknown {
  const at = typeof finishedOn === 'string' ? finishedOn : finishedOn.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return statement('https://cosign.sigstore.dev/attestation/vuln/v1', {
    invocation: { 'parameters': null, 'uri': '', 'event_id': '', 'builder.id': '' },
    scanner: { uri: scanner, version: '0.58.1', db: { uri: '', version: '' }, result: { SchemaVersion: 2, Results: [] } },
    metadata: { scanStartedOn: at, scanFinishedOn: at },
  });
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

describe('ImageSigningPolicy with attestations', () => {
  test('every authority requires each attestation, named by kind, in the form policy-controller accepts', () => {
    const app = new App();
    const chart = withSigstore(app);
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
    const policy = new ImageSigningPolicy(chart, 'attested', {
      images: ['ghcr.io/acme/**'],
      authorities: [KEYLESS, SigningAuthority.publicKey(pem)],
      attestations: [
        ImageAttestation.slsaProvenance({ builderId: GITHUB_BUILDER, sourceRepository: REPO }),
        ImageAttestation.vulnerabilityScan({ maxAge: Duration.days(7) }),
        ImageAttestation.slsaProvenance({ builderId: 'https://tekton.dev/chains/v2', sourceRepository: REPO, version: SlsaProvenanceVersion.V0_2 }),
      ],
    });
    const spec = policy.clusterImagePolicy.toJson().spec;
    expect(spec.authorities).toHaveLength(2);
    for (const authority of spec.authorities) {
      expect(authority.attestations.map((a: any) => [a.name, a.predicateType, a.policy.type])).toEqual([
        ['slsa-provenance', 'https://slsa.dev/provenance/v1', 'rego'],
        ['vulnerability-scan', 'https://cosign.sigstore.dev/attestation/vuln/v1', 'rego'],
        ['slsa-provenance-2', 'https://slsa.dev/provenance/v0.2', 'rego'],
      ]);
      expect(authority.attestations[0].policy.data).toContain('package sigstore');
    }
    expect(spec.authorities[0].keyless).toBeDefined();
    expect(spec.authorities[1].key).toBeDefined();
    expect(policy.attestations).toHaveLength(3);
    expect(policy.attestations[1].description).toBe('vulnerability scan at most 7 days old');
  });

  test('without attestations the ClusterImagePolicy is unchanged (signatures only)', () => {
    const chart = withSigstore(new App());
    const policy = new ImageSigningPolicy(chart, 'signed', { images: ['ghcr.io/acme/**'], authorities: [KEYLESS] });
    expect(policy.clusterImagePolicy.toJson().spec.authorities[0].attestations).toBeUndefined();
    expect(policy.attestations).toEqual([]);
  });
});

describe('the generated Rego, evaluated by OPA as policy-controller evaluates it', () => {
  test('SLSA v1: the builder and the source repository must both match; lookalikes and missing fields fail', () => {
    const policy = ImageAttestation.slsaProvenance({ builderId: GITHUB_BUILDER, sourceRepository: REPO }).policy;
    const check = checkPolicy(policy);
    expect(check.output).toBe('');
    expect(check.ok).toBe(true);
    expect(evaluate(policy, githubProvenance())).toEqual({ compliant: true, error: '' });
    // resolved dependency alone (no workflow parameters), with a ".git" suffix
    expect(evaluate(policy, githubProvenance({ repository: 'https://github.com/acme/other', dependency: `git+${REPO}.git@refs/heads/main` })).compliant).toBe(true);
    expect(evaluate(policy, githubProvenance({ builder: 'https://github.com/actions/runner/self-hosted' }))).toEqual({
      compliant: false, error: `provenance builder is not ${GITHUB_BUILDER}`,
    });
    expect(evaluate(policy, githubProvenance({ repository: 'https://github.com/evil/app' }))).toEqual({
      compliant: false, error: `provenance names no source from ${REPO}`,
    });
    expect(evaluate(policy, githubProvenance({ repository: `${REPO}-fork` })).compliant).toBe(false);
    expect(evaluate(policy, statement(SlsaProvenanceVersion.V1, {}))).toEqual({
      compliant: false, error: `provenance builder is not ${GITHUB_BUILDER}; provenance names no source from ${REPO}`,
    });
  }, OPA_TIMEOUT);

  test('SLSA v0.2: builder.id and the config source (or a material)', () => {
    const tekton = 'https://tekton.dev/chains/v2';
    const policy = ImageAttestation.slsaProvenance({ builderId: tekton, sourceRepository: REPO, version: SlsaProvenanceVersion.V0_2 }).policy;
    expect(checkPolicy(policy).ok).toBe(true);
    expect(evaluate(policy, tektonProvenance(tekton, `git+${REPO}.git@refs/heads/main`)).compliant).toBe(true);
    expect(evaluate(policy, tektonProvenance(tekton, 'git+https://github.com/evil/app@refs/heads/main')).compliant).toBe(false);
    expect(evaluate(policy, tektonProvenance('https://tekton.dev/chains/v1', `git+${REPO}@refs/heads/main`)).error).toBe(`provenance builder is not ${tekton}`);
    // a v1 predicate does not satisfy a v0.2 policy (fields elsewhere): never a silent pass
    expect(evaluate(policy, githubProvenance({ builder: tekton })).compliant).toBe(false);
  }, OPA_TIMEOUT);

  test('builder ids and repositories are Rego string literals, never code', () => {
    const odd = 'https://builder.example.com/"x"\\y';
    const policy = ImageAttestation.slsaProvenance({ builderId: odd, sourceRepository: REPO }).policy;
    expect(checkPolicy(policy).ok).toBe(true);
    expect(evaluate(policy, githubProvenance({ builder: odd })).compliant).toBe(true);
    expect(evaluate(policy, githubProvenance({ builder: 'https://builder.example.com/' })).compliant).toBe(false);
  }, OPA_TIMEOUT);

  test('vulnerability scan: fresh passes; too old, missing or unparsable times, and another scanner fail', () => {
    const policy = ImageAttestation.vulnerabilityScan({ maxAge: Duration.hours(24), scannerUri: 'pkg:github/aquasecurity/trivy' }).policy;
    expect(checkPolicy(policy).ok).toBe(true);
    expect(evaluate(policy, scan(hoursAgo(1)))).toEqual({ compliant: true, error: '' });
    const old = evaluate(policy, scan('2022-04-12T00:10:00Z'));
    expect(old).toEqual({ compliant: false, error: 'vulnerability scan finished 2022-04-12T00:10:00Z, more than 1 day ago (or not given)' });
    expect(evaluate(policy, scan(hoursAgo(25))).compliant).toBe(false);
    expect(evaluate(policy, scan('yesterday')).compliant).toBe(false);
    expect(evaluate(policy, statement('https://cosign.sigstore.dev/attestation/vuln/v1', { scanner: { uri: 'pkg:github/aquasecurity/trivy' } })).compliant).toBe(false);
    expect(evaluate(policy, scan(hoursAgo(1), 'pkg:github/anchore/grype@0.80.0'))).toEqual({
      compliant: false, error: 'vulnerability scanner pkg:github/anchore/grype@0.80.0 does not start with pkg:github/aquasecurity/trivy',
    });
    // any scanner when none is named
    const anyScanner = ImageAttestation.vulnerabilityScan({ maxAge: Duration.minutes(90) }).policy;
    expect(evaluate(anyScanner, scan(hoursAgo(1), 'pkg:github/anchore/grype@0.80.0')).compliant).toBe(true);
    expect(evaluate(anyScanner, scan(hoursAgo(2))).compliant).toBe(false);
  }, OPA_TIMEOUT);
});

const builder = { builderId: GITHUB_BUILDER, sourceRepository: REPO };
badInputCatalogue([
  { name: 'SLSA provenance with an empty builder id', build: () => { ImageAttestation.slsaProvenance({ ...builder, builderId: '' }); }, error: '[ImageAttestation.slsaProvenance (slsa_provenance)] options.builderId (options.builder_id): got ""; expected a non-empty builder id without spaces' },
  { name: 'SLSA provenance with a builder id with spaces', build: () => { ImageAttestation.slsaProvenance({ ...builder, builderId: ' https://b ' }); }, error: 'got " https://b "; expected a non-empty builder id' },
  { name: 'SLSA provenance with an owner/name repository', build: () => { ImageAttestation.slsaProvenance({ ...builder, sourceRepository: 'acme/app' }); }, error: 'got "acme/app"; expected an https:// repository URL without ".git"' },
  { name: 'SLSA provenance with a .git repository', build: () => { ImageAttestation.slsaProvenance({ ...builder, sourceRepository: `${REPO}.git` }); }, error: `got "${REPO}.git"; expected an https:// repository URL` },
  { name: 'vulnerability scan with a zero maximum age', build: () => { ImageAttestation.vulnerabilityScan({ maxAge: Duration.seconds(0) }); }, error: '[ImageAttestation.vulnerabilityScan (vulnerability_scan)] options.maxAge (options.max_age): got "0 seconds"; expected a positive Duration such as Duration.days(7)' },
  { name: 'vulnerability scan with a maximum age that is not a Duration', build: () => { ImageAttestation.vulnerabilityScan({ maxAge: '7d' as any }); }, error: 'got "7d" (a string); expected a Duration such as Duration.days(7)' },
  { name: 'vulnerability scan with an empty scanner URI', build: () => { ImageAttestation.vulnerabilityScan({ maxAge: Duration.days(1), scannerUri: '' }); }, error: 'got ""; expected a non-empty URI prefix' },
  {
    name: 'attestations next to an unsigned (static pass) authority',
    build: (s) => { new ImageSigningPolicy(s, 'p', { images: ['ghcr.io/**'], authorities: [SigningAuthority.allowUnsigned()], attestations: [ImageAttestation.slsaProvenance(builder)] }); },
    error: '[bad-input/p] attestations: got 1 attestation(s) next to SigningAuthority.allowUnsigned() (allow_unsigned()), which verifies nothing',
  },
  {
    name: 'attestation that is not an ImageAttestation',
    build: (s) => { new ImageSigningPolicy(s, 'p', { images: ['ghcr.io/**'], authorities: [KEYLESS], attestations: ['slsa' as any] }); },
    error: '[bad-input/p] attestations[0]: got "slsa" (a string); expected an ImageAttestation such as ImageAttestation.slsaProvenance',
  },
], { title: 'image attestation bad inputs', scope: withSigstore });
