/**
 * The Kueue part of the PlatformReport: the DRA device-class mappings and the all-or-nothing start (`waitForPodsReady`)
 * the cluster's Kueue Configuration needs. Internal.
 */
import { ApiObject, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';

/** What the profile declares of the Kueue Configuration (`ClusterAddon.kueueWith`), for the report's JSON. */
export interface DeclaredKueueConfiguration {
  /** The ClusterProfile that declares it. */
  readonly declaredBy: string;
  /** The settings checked at synth against Kueue's own validation, e.g. `waitForPodsReady`. */
  readonly checked: string[];
  /** The Configuration fields to merge, in Kueue's schema. */
  readonly fields: Record<string, unknown>;
}

/** The profile's declared Kueue Configuration, or undefined when it declares none. */
export function declaredKueueConfiguration(profile: ClusterProfile): DeclaredKueueConfiguration | undefined {
  const fields = profile.addons.find((a) => a.id === ClusterAddon.KUEUE.id)?._kueueConfigurationFields();
  if (fields === undefined) return undefined;
  return { declaredBy: profile.node.path, checked: Object.keys(fields).sort(), fields };
}

/** Gang jobs Kueue schedules (JobSets and TrainJobs with a queue label), by construct path. */
export function kueueGangJobs(scope: IConstruct): string[] {
  return scope.node.root.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && ['JobSet', 'TrainJob'].includes(c.kind) &&
      c.metadata.getLabel('kueue.x-k8s.io/queue-name') !== undefined)
    .map((o) => o.node.scope!.node.path);
}

/** The Markdown sections on Kueue's Configuration, appended to `lines`. `m` is the report's model. */
export function kueueMarkdown(m: any, lines: string[]): void {
  provisioningMarkdown(m, lines);
  if (m.kueueDeviceClassMappings.length) {
    lines.push('', '## Kueue configuration the cluster needs', '', 'Kueue charges DRA devices only through `resources.deviceClassMappings` in its Configuration:', '', '```yaml', 'resources:', '  deviceClassMappings:');
    for (const d of m.kueueDeviceClassMappings) lines.push(`  - name: ${d.name}`, '    deviceClassNames:', ...d.deviceClassNames.map((n: string) => `    - ${n}`));
    lines.push('```');
  }
  const declared: DeclaredKueueConfiguration | undefined = m.kueueConfiguration;
  const intro = 'Kueue admits a gang against quota all-or-nothing, but it does not place pods: for the pods of a gang to ' +
    'start all together or not at all (and to be requeued when some cannot be placed), the Kueue Configuration needs `waitForPodsReady`.';
  if (declared?.fields.waitForPodsReady !== undefined) {
    const jobs = m.kueueGangJobs.length ? `, for ${m.kueueGangJobs.join(', ')}` : '';
    lines.push('', '## Gang start: what Kueue needs', '', `${intro} Declared in the ClusterProfile ${declared.declaredBy} ` +
      `(ClusterAddon.kueueWith): CHECKED against Kueue v0.19's Configuration validation${jobs}. Merge these fields into the ` +
      'Kueue Helm chart\'s `managerConfig.controllerManagerConfigYaml` (ConfigMap `<release>-manager-config`, key ' +
      '`controller_manager_config.yaml`):', '', '```yaml', ...Yaml.stringify({ waitForPodsReady: declared.fields.waitForPodsReady }).trimEnd().split('\n'), '```');
  } else if (m.kueueGangJobs.length) {
    // Kueue v0.19 turns waitForPodsReady on by default with a 30-minute timeout but without blockAdmission
    // (kubernetes-sigs/kueue v0.19.2 apis/config/v1beta2/defaults.go); its v1beta2 Configuration has no `enable` field
    // and is read strictly (pkg/config/config.go), so the snippet names only what to add.
    lines.push('', '## Gang start: what Kueue needs', '', `${intro} This report cannot see the Kueue Configuration: NOT CHECKED, required for ` +
      `${m.kueueGangJobs.join(', ')}. Kueue v0.19 enables it by default (30-minute timeout) but admits the next gang before ` +
      'the pods of the last one are ready; declare it with ClusterAddon.kueueWith to have it checked, or merge:', '',
    '```yaml', 'waitForPodsReady:', '  blockAdmission: true', '```');
  }
}

/**
 * Pools whose gangs wait for a ProvisioningRequest. Kueue sets up its provisioning controller only when the apiserver
 * serves ProvisioningRequests at its start (cmd/kueue/main.go setupControllers, v0.19.2): without that, the admission
 * check stays inactive and so does every ClusterQueue that uses it.
 */
function provisioningMarkdown(m: any, lines: string[]): void {
  const pools = (m.pools as any[]).filter((p) => p.provisioningClass);
  if (!pools.length) return;
  lines.push('', '## Pools that wait for the autoscaler', '', 'Kueue admits a gang on these pools only once cluster-autoscaler ' +
    'reports its ProvisioningRequest Provisioned. NOT CHECKED (this report cannot see the cluster): cluster-autoscaler runs ' +
    'with `--enable-provisioning-requests=true`, and its ProvisioningRequest CRD (autoscaling.x-k8s.io/v1) was installed ' +
    'before Kueue started (restart Kueue otherwise: it sets up its provisioning controller only at start-up).', '',
  '| Pool | Provisioning class |', '|---|---|', ...pools.map((p) => `| ${p.name} | \`${p.provisioningClass}\` |`));
}
