import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon, ClusterProfile, GpuAllocation, KubernetesVersion } from '../../src';

describe('ClusterProfile', () => {
  test('defaults to Kubernetes 1.34 with DRA and the default add-ons when none is declared', () => {
    const chart = Testing.chart();
    const profile = ClusterProfile.of(new Construct(chart, 'x'));
    expect(profile.kubernetesVersion.toString()).toBe('1.34');
    expect(profile.usesDra).toBe(true);
    expect(profile.hasAddon(ClusterAddon.KUEUE)).toBe(true);
    expect(profile.hasAddon(ClusterAddon.ARGO_ROLLOUTS)).toBe(false);
    expect(profile.isFeatureEnabled('DRAPrioritizedList')).toBe(true);
    expect(profile.isFeatureEnabled('DRAConsumableCapacity')).toBe(false);
    expect(ClusterProfile.of(chart)).toBe(profile); // one default per app
  });

  test('is found up the construct tree, nearest first', () => {
    const app = new App();
    const appProfile = new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_36 });
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    const bProfile = new ClusterProfile(b, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_37, gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
    expect(ClusterProfile.of(new Construct(new Construct(a, 'deep'), 'deeper'))).toBe(appProfile);
    expect(ClusterProfile.of(new Construct(b, 'x'))).toBe(bProfile);
    expect(ClusterProfile.of(new Construct(b, 'y')).usesDra).toBe(false);
  });

  test('feature gates follow the version defaults and the overrides', () => {
    const app = new App();
    const p37 = new ClusterProfile(new Chart(app, 'a'), 'P', { kubernetesVersion: KubernetesVersion.V1_37 });
    expect(p37.isFeatureEnabled('DRAConsumableCapacity')).toBe(true);
    expect(p37.isFeatureEnabled('GenericWorkload')).toBe(false);
    const on = new ClusterProfile(new Chart(app, 'b'), 'P', { kubernetesVersion: KubernetesVersion.V1_37, featureGates: { GenericWorkload: true } });
    expect(on.isFeatureEnabled('GenericWorkload')).toBe(true);
    expect(on.featureGateOverrides).toEqual({ GenericWorkload: true });
  });

  test('knows the Workload API gates TopologyAwareWorkloadScheduling and WorkloadWithJob from 1.36 (off by default)', () => {
    const app = new App();
    for (const gate of ['TopologyAwareWorkloadScheduling', 'WorkloadWithJob']) {
      for (const version of [KubernetesVersion.V1_36, KubernetesVersion.V1_37]) {
        const chart = new Chart(app, `${gate}-${version.minor}`);
        expect(new ClusterProfile(chart, 'Off', { kubernetesVersion: version }).isFeatureEnabled(gate)).toBe(false);
        expect(new ClusterProfile(new Chart(app, `${gate}-${version.minor}-on`), 'On', {
          kubernetesVersion: version, featureGates: { GenericWorkload: true, [gate]: true },
        }).isFeatureEnabled(gate)).toBe(true);
      }
      expect(() => new ClusterProfile(new Chart(app, `${gate}-35`), 'P', { kubernetesVersion: KubernetesVersion.V1_35, featureGates: { [gate]: true } }))
        .toThrow(`featureGates.${gate} (feature_gates.${gate}): got true; expected a gate that exists in Kubernetes 1.35 (${gate} exists in 1.36, 1.37)`);
    }
  });

  test('lists Istio as an add-on a profile can name', () => {
    const profile = new ClusterProfile(Testing.chart(), 'P', { addons: [...ClusterAddon.defaults(), ClusterAddon.ISTIO] });
    expect(ClusterAddon.ISTIO.id).toBe('istio');
    expect(profile.hasAddon(ClusterAddon.ISTIO)).toBe(true);
    expect(ClusterProfile.of(Testing.chart()).hasAddon(ClusterAddon.ISTIO)).toBe(false);
  });

  test('fails on an unknown gate, naming the known ones', () => {
    expect(() => new ClusterProfile(Testing.chart(), 'P', { featureGates: { DRAPriotizedList: true } })).toThrow(
      /\[test\/P\] featureGates.DRAPriotizedList \(feature_gates.DRAPriotizedList\): got true; expected a gate this library knows: .*DRAPrioritizedList/,
    );
  });

  test('fails on a gate that does not exist in the target version', () => {
    expect(() => new ClusterProfile(Testing.chart(), 'P', { featureGates: { GenericWorkload: true } })).toThrow(
      /featureGates.GenericWorkload \(feature_gates.GenericWorkload\): got true; expected a gate that exists in Kubernetes 1.34/,
    );
  });

  test('fails when declared after a construct already used the default profile in the same scope', () => {
    const app = new App();
    ClusterProfile.of(new Chart(app, 'early'));
    expect(() => new ClusterProfile(app, 'Cluster')).toThrow(/declare the ClusterProfile before the constructs it applies to/);
  });

  test('KubernetesVersion.of parses supported versions and rejects others', () => {
    expect(KubernetesVersion.of('v1.36.2').minor).toBe(36);
    expect(KubernetesVersion.of('1.37').isAtLeast(36)).toBe(true);
    expect(() => KubernetesVersion.of('1.29')).toThrow('[KubernetesVersion] version: got "1.29"; expected one of 1.34, 1.35, 1.36, 1.37');
  });

  test('_requireFeature and _requireAddon explain what is missing', () => {
    const chart = Testing.chart();
    const scope = new Construct(chart, 'job');
    const profile = new ClusterProfile(chart, 'P', { addons: [] });
    expect(() => profile._requireFeature(scope, 'gpus', 'DRAConsumableCapacity', 'a shared GPU with a memory slice')).toThrow(
      /\[test\/job\] gpus: a shared GPU with a memory slice needs the feature gate DRAConsumableCapacity .* off on the target Kubernetes 1.34/,
    );
    expect(() => profile._requireAddon(scope, 'scheduler', ClusterAddon.KUEUE, 'GangScheduler.kueue()')).toThrow(
      /\[test\/job\] scheduler: GangScheduler.kueue\(\) needs Kueue/,
    );
  });
});
