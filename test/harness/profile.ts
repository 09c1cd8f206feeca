/**
 * Maps a target cluster profile (Kubernetes version + feature gates) to the
 * running environment that behaves like it.
 */
import { ENVIRONMENTS, ENVIRONMENT_NAMES, EnvironmentName } from './environments';
import { EnvironmentConnection, readState } from './state';

export interface ProfileLike {
  /** `1.34`, `v1.37`, `1.37.2`; default: the `default` environment's version (1.34). */
  readonly kubernetesVersion?: string;
  /** Gates the target cluster has on (true) or off (false). */
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

/** `v1.37.2` -> `1.37` */
export function minorVersion(version: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?/.exec(version.trim());
  if (!m) {
    throw new Error(`not a Kubernetes version: '${version}' (expected e.g. 1.34)`);
  }
  return `${Number(m[1])}.${Number(m[2])}`;
}

/** Gates whose effective state in the environment differs from the profile (unknown gates count as off). */
export function gateMismatches(conn: EnvironmentConnection, gates: Readonly<Record<string, boolean>>): string[] {
  return Object.entries(gates).flatMap(([gate, want]) => {
    const have = conn.featureGates[gate] ?? false;
    return have === want ? [] : [`${gate}=${want} (environment has ${gate in conn.featureGates ? have : 'no such gate'})`];
  });
}

/**
 * The running environment whose Kubernetes minor equals the profile's and whose
 * effective feature gates (read from the server at start-up) match every gate
 * the profile names. Throws, listing what each running environment offers, when
 * none matches. Gates the profile does not name are not compared.
 */
export function environmentForProfile(profile: ProfileLike = {}): EnvironmentName {
  const state = readState();
  const running = ENVIRONMENT_NAMES.flatMap((n) => (state.environments[n] ? [state.environments[n] as EnvironmentConnection] : []));
  const version = profile.kubernetesVersion === undefined ? undefined : minorVersion(profile.kubernetesVersion);
  const gates = profile.featureGates ?? {};
  const reasons: string[] = [];
  for (const conn of running) {
    if ((version ?? ENVIRONMENTS.default.kubernetesVersion) !== conn.kubernetesVersion) {
      reasons.push(`${conn.name}: Kubernetes ${conn.kubernetesVersion}`);
      continue;
    }
    const mismatches = gateMismatches(conn, gates);
    if (mismatches.length === 0) {
      return conn.name;
    }
    reasons.push(`${conn.name}: gates differ: ${mismatches.join(', ')}`);
  }
  throw new Error(`no running test environment matches Kubernetes ${version ?? ENVIRONMENTS.default.kubernetesVersion} `
    + `with gates ${JSON.stringify(gates)}; ${reasons.length > 0 ? reasons.join('; ') : 'no environment is running'}`);
}
