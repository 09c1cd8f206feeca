// The feature-gate table against the real kube-apiserver: each running environment reports the effective state of
// every gate it knows (kubernetes_feature_enabled), so the table's defaults are checked, not just restated.
import { FEATURE_GATES, knownGates } from '../../src/cluster/feature-gates';
import { BINARY_MINOR, ENVIRONMENTS, ENVIRONMENT_NAMES, EnvironmentConnection, readState } from '../harness';

function running(): EnvironmentConnection[] {
  const state = readState();
  return ENVIRONMENT_NAMES.flatMap((n) => (state.environments[n] ? [state.environments[n]!] : []));
}

describe('FEATURE_GATES', () => {
  test('knows the Workload API gates of 1.36 and 1.37 (training-dra.md §3d)', () => {
    expect(knownGates()).toEqual(expect.arrayContaining(['TopologyAwareWorkloadScheduling', 'WorkloadWithJob', 'GenericWorkload']));
    expect(FEATURE_GATES.TopologyAwareWorkloadScheduling.defaults).toEqual({ 36: false, 37: false });
    expect(FEATURE_GATES.WorkloadWithJob.defaults).toEqual({ 36: false, 37: false });
  });

  test('every version default matches what the apiserver of that version reports', () => {
    const envs = running();
    expect(envs.map((e) => e.name)).toEqual(expect.arrayContaining(['default', 'latest']));
    const mismatches: string[] = [];
    let compared = 0;
    for (const env of envs) {
      const minor = Number(env.kubernetesVersion.split('.')[1]);
      const flipped = ENVIRONMENTS[env.name].featureGates;
      for (const gate of knownGates()) {
        const expected = FEATURE_GATES[gate].defaults[minor];
        if (expected === undefined) {
          // the table says the gate does not exist in this version: an emulating server must not have it on
          if (env.featureGates[gate] === true) mismatches.push(`${gate}: the table says it does not exist in 1.${minor}, the ${env.name} apiserver has it on`);
          continue;
        }
        compared++;
        const actual = env.featureGates[gate];
        if (actual === undefined && FEATURE_GATES[gate].defaults[BINARY_MINOR] === undefined) {
          // removed before the binary's release (GangScheduling, merged into GenericWorkload in 1.37): an emulated
          // older version cannot show it, so there is nothing to compare
          continue;
        } else if (actual === undefined) {
          mismatches.push(`${gate}: the table says it exists in 1.${minor}, the ${env.name} apiserver does not know it`);
        } else if (gate in flipped) {
          // the environment sets the gate explicitly: the table must call it off by default, the server must honour the flag
          if (expected !== false || actual !== flipped[gate]) mismatches.push(`${gate} in ${env.name}: table ${expected}, flag ${flipped[gate]}, server ${actual}`);
        } else if (actual !== expected) {
          mismatches.push(`${gate} in 1.${minor} (${env.name}): table ${expected}, server ${actual}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(15);
  });
});
