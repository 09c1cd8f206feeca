/**
 * Maps a target cluster profile (Kubernetes version + feature gates) to the
 * running environment that behaves like it.
 */
import { BINARY_MINOR, ENVIRONMENTS, ENVIRONMENT_NAMES, EnvironmentName, OLDEST_EMULATED_MINOR } from './environments';
import { EnvironmentConnection, readState } from './state';

export interface ProfileLike {
  /**
   * `1.34`, `v1.37`, `1.37.2`, or a version object with a `minor` (the library's
   * KubernetesVersion), so a ClusterProfile can be passed as it is.
   * @default - the `default` environment's version (1.34)
   */
  readonly kubernetesVersion?: string | { readonly minor: number };
  /**
   * Gates the target cluster has on (true) or off (false).
   * @default - none compared
   */
  readonly featureGates?: Readonly<Record<string, boolean>>;
  /**
   * The same as `featureGates`, under the name ClusterProfile uses (used when `featureGates` is not given).
   * @default - none compared
   */
  readonly featureGateOverrides?: Readonly<Record<string, boolean>>;
}

/** `v1.37.2` -> `1.37` */
export function minorVersion(version: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?/.exec(version.trim());
  if (!m) {
    throw new Error(`not a Kubernetes version: '${version}' (expected e.g. 1.34)`);
  }
  return `${Number(m[1])}.${Number(m[2])}`;
}

/** The `1.<minor>` of a profile's version (string or `{ minor }`); the default environment's when unset. */
export function profileVersion(profile: ProfileLike): string {
  const v = profile.kubernetesVersion;
  if (v === undefined) {
    return ENVIRONMENTS.default.kubernetesVersion;
  }
  if (typeof v === 'string') {
    return minorVersion(v);
  }
  if (!Number.isInteger(v.minor)) {
    throw new Error(`not a Kubernetes version: ${JSON.stringify(v)} (expected e.g. '1.34' or { minor: 34 })`);
  }
  return `1.${v.minor}`;
}

/** Gates whose effective state in the environment differs from the profile (unknown gates count as off). */
export function gateMismatches(conn: EnvironmentConnection, gates: Readonly<Record<string, boolean>>): string[] {
  return Object.entries(gates).flatMap(([gate, want]) => {
    const have = conn.featureGates[gate] ?? false;
    return have === want ? [] : [`${gate}=${want} (environment has ${gate in conn.featureGates ? have : 'no such gate'})`];
  });
}

/** Every version the harness's binary can run or emulate: `1.34` .. `1.37`. */
export function emulatableVersions(): string[] {
  const out: string[] = [];
  for (let minor = OLDEST_EMULATED_MINOR; minor <= BINARY_MINOR; minor++) {
    out.push(`1.${minor}`);
  }
  return out;
}

/**
 * The running environment whose Kubernetes minor equals the profile's and whose
 * effective feature gates (read from the server at start-up) match every gate
 * the profile names (gates it does not name are not compared). Accepts a
 * ClusterProfile as it is. Throws a clear error when:
 *  - the version is outside what the harness's kube-apiserver can emulate
 *    (1.34 to 1.37);
 *  - the environment for the version exists but is not running (it names the
 *    CDK8S_AI_TESTENV_ENVIRONMENTS value that starts it);
 *  - no running environment of that version has the profile's gates.
 */
export function environmentForProfile(profile: ProfileLike = {}): EnvironmentName {
  const version = profileVersion(profile);
  const gates = profile.featureGates ?? profile.featureGateOverrides ?? {};
  const supported = emulatableVersions();
  if (!supported.includes(version)) {
    throw new Error(`no test environment can emulate Kubernetes ${version}: the harness runs kube-apiserver 1.${BINARY_MINOR}, `
      + `whose --emulated-version reaches back to 1.${OLDEST_EMULATED_MINOR}, so it can test ${supported.join(', ')} only`);
  }
  const state = readState();
  const candidates = ENVIRONMENT_NAMES.filter((n) => ENVIRONMENTS[n].kubernetesVersion === version);
  const reasons: string[] = [];
  const stopped: EnvironmentName[] = [];
  for (const name of candidates) {
    const conn = state.environments[name];
    if (!conn) {
      stopped.push(name);
      continue;
    }
    const mismatches = gateMismatches(conn, gates);
    if (mismatches.length === 0) {
      return conn.name;
    }
    reasons.push(`${conn.name}: gates differ: ${mismatches.join(', ')}`);
  }
  const running = ENVIRONMENT_NAMES.filter((n) => state.environments[n]);
  for (const name of stopped) {
    reasons.push(`${name} (Kubernetes ${version}) is not running; start it with `
      + `CDK8S_AI_TESTENV_ENVIRONMENTS=${[...running, name].join(',')}`);
  }
  throw new Error(`no running test environment matches Kubernetes ${version} with gates ${JSON.stringify(gates)}; `
    + `${reasons.join('; ')} (running: ${running.join(', ') || 'none'})`);
}
