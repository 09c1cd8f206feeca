import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { EndpointPickerProps } from './endpoint-picker';
import { EndpointPickerConfig, ScorerInput } from './endpoint-picker-config';
import { EppEngineMetrics } from './epp-data-layer';
import { checkDataLayer, renderDataLayer } from './epp-data-layer-render';
import { BAND_SETTINGS, checkFlowControlBands, renderFlowControlBands } from './epp-flow-control-render';
import { kvEventsPickerPlugins } from './epp-kv-events';
import { ALLOW_EXPERIMENTAL_PLUGINS_FLAG, EppVersion } from './epp-version';
import { Need } from './serving-checks';
import { validateResources } from './serving-validation';
import * as k8s from '../imports/k8s';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { claimName, dnsLabel } from '../internal/names';

/**
 * The endpoint picker's command line, config file, resources and RBAC, each following llm-d-router at the pinned
 * version (sources named beside each default). ServingPool assembles the objects.
 */

export const POOL_GROUP = 'inference.networking.k8s.io';

/** Flags the pool sets itself; `extraFlags` may not. */
const OWNED_FLAGS = [
  'pool-name', 'pool-namespace', 'pool-group', 'endpoint-selector', 'endpoint-target-ports', 'grpc-port', 'grpc-health-port',
  'metrics-port', 'config-file', 'config-text', 'secure-serving', 'cert-path', 'metrics-endpoint-auth', 'ha-enable-leader-election',
  ALLOW_EXPERIMENTAL_PLUGINS_FLAG,
];

/** The release the flow-control bands and precise prefix routing were read from (../shared/upstream/llm-d-router-v0.10.0.tar.gz). */
const VERIFIED_RELEASE = '0.10.0';
/** The picker's config feature gate for flow control (llm-d-router v0.10.0 pkg/epp/flowcontrol/config.go). */
const FLOW_CONTROL_GATE = 'flowControl';
/**
 * The saturation detector for servers the picker reads no metrics from: it counts the picker's own in-flight requests
 * (pkg/epp/framework/plugins/flowcontrol/saturationdetector/concurrency, Beta in v0.10.0). The default
 * utilization-detector scores an endpoint without fresh metrics as fully saturated (fail-closed; utilization/detector.go).
 */
const CONCURRENCY_DETECTOR = 'concurrency-detector';

/** What the picker's config needs to know about the pool. */
export interface PickerConfigInput {
  readonly config: EndpointPickerConfig;
  readonly version: EppVersion;
  readonly eppEngineType?: string;
  /** The metric specs of an engine the picker has no built-in mapping for (`engineConfigs`). */
  readonly eppEngineMetrics?: EppEngineMetrics;
  readonly metricsPath: string;
  /** The served model name and the URL of the servers' render endpoint (precise prefix routing tokenizes there). */
  readonly servedModelName: string;
  readonly renderUrl: string;
  readonly hasObjectives: boolean;
  readonly picker: EndpointPickerProps;
}

/** Settings resolved from the props: what the args and config need. */
export interface PickerSettings {
  readonly allowExperimental: boolean;
  readonly flowControl: boolean;
  readonly metricsAuth: boolean;
  /** The fairness and ordering policy plugins the priority bands reference (declared in the config). */
  readonly bandPolicies: string[];
  /** The config's featureGates entries. */
  readonly featureGates: string[];
}

/** Checks the picker props against the release and resolves the settings. */
export function pickerSettings(service: IConstruct, input: PickerConfigInput): PickerSettings {
  const { version, picker } = input;
  const alpha = input.config._alphaPlugins(version);
  const allowExperimental = picker.allowExperimentalPlugins ?? alpha.length > 0;
  if (alpha.length > 0 && !allowExperimental) {
    throw new ValidationError(service, 'endpointPicker.allowExperimentalPlugins', `is false, but the scheduling profile uses ${alpha.join(', ')}, ` +
      `Alpha in the endpoint picker v${version.version}, which refuses to start on it without --${ALLOW_EXPERIMENTAL_PLUGINS_FLAG}; ` +
      'allow experimental plugins or remove them');
  }
  if (allowExperimental && !version.hasFlag(ALLOW_EXPERIMENTAL_PLUGINS_FLAG)) {
    throw invalidProp(service, 'endpointPicker.allowExperimentalPlugins', allowExperimental,
      `false or unset with EppVersion v${version.version}: it has no --${ALLOW_EXPERIMENTAL_PLUGINS_FLAG} flag (every plugin it registers loads without one)`);
  }
  const fc = picker.flowControl ?? {};
  const flowControl = fc.enabled ?? input.hasObjectives;
  if (!flowControl) {
    const set = (['maxRequests', 'requestTtl', ...BAND_SETTINGS] as const).filter((k) => fc[k] !== undefined);
    if (set.length) {
      throw new ValidationError(service, `endpointPicker.flowControl.${set[0]}`, 'is set, but flow control is off (the picker ignores its settings); ' +
        'enable it (flowControl.enabled, or objectives on the service)');
    }
  }
  if (flowControl && !version.hasFeatureGate(FLOW_CONTROL_GATE)) {
    throw invalidProp(service, 'endpointPicker.flowControl.enabled', true, `false with EppVersion v${version.version}: it has no ${FLOW_CONTROL_GATE} feature gate`);
  }
  if (fc.maxRequests !== undefined) requireInteger(service, 'endpointPicker.flowControl.maxRequests', fc.maxRequests, 1);
  if (fc.requestTtl !== undefined) wholeSeconds(service, 'endpointPicker.flowControl.requestTtl', fc.requestTtl);
  const bandPolicies = checkFlowControlBands(service, 'endpointPicker.flowControl', fc);
  // The bands and precise prefix routing are checked against llm-d-router v0.10.0's loader only (its decoding is strict).
  if (version.version !== VERIFIED_RELEASE) {
    const band = BAND_SETTINGS.find((k) => fc[k] !== undefined);
    if (band) {
      throw new ValidationError(service, `endpointPicker.flowControl.${band}`, `is set with EppVersion v${version.version}; priority bands, ` +
        `byte limits and eviction are checked against the v${VERIFIED_RELEASE} config loader only: use EppVersion.V0_10_0`);
    }
    if (input.config._inputs().includes(ScorerInput.KV_EVENTS)) {
      throw new ValidationError(service, 'endpointPicker.config', `uses EppScorer.precisePrefixCache() with EppVersion v${version.version}; ` +
        `its plugins and parameters are checked against v${VERIFIED_RELEASE} only: use EppVersion.V0_10_0`);
    }
  }
  checkDataLayer(service, { engine: input.eppEngineType, metricsPath: input.metricsPath, options: picker.dataLayer });
  const gates = picker.featureGates ?? {};
  for (const gate of Object.keys(gates).sort()) {
    const prop = `endpointPicker.featureGates.${gate}`;
    if (gate === FLOW_CONTROL_GATE) throw new ValidationError(service, prop, 'is set; flow control is turned on and off with endpointPicker.flowControl.enabled');
    if (!version.hasFeatureGate(gate)) {
      throw invalidProp(service, prop, gate, `a config feature gate of the endpoint picker v${version.version} (cmd/epp/runner/runner.go): ` +
        (version.featureGates.filter((g) => g !== FLOW_CONTROL_GATE).join(', ') || 'none besides flowControl'));
    }
    if (typeof gates[gate] !== 'boolean') throw invalidProp(service, prop, gates[gate], 'true or false');
  }
  const featureGates = [...(flowControl ? [FLOW_CONTROL_GATE] : []), ...Object.keys(gates).sort().map((g) => `${g}=${gates[g]}`)];
  return { allowExperimental, flowControl, metricsAuth: picker.metricsAuth ?? false, bandPolicies, featureGates };
}

function wholeSeconds(scope: IConstruct, prop: string, d: Duration): number {
  const ms = d.toMilliseconds();
  if (!Number.isInteger(ms / 1000) || ms < 0) throw invalidProp(scope, prop, d.toHumanString(), 'a whole number of seconds, 0 or more');
  return ms / 1000;
}

/**
 * The EndpointPickerConfig document. Metric-free servers (no engine the picker reads) get `dataLayer.injectDefaults:
 * false` (otherwise the loader adds the vLLM metrics source and extractor, pkg/epp/config/loader/defaults.go
 * ensureDataLayer, v0.10.0 and v0.9.0) and the concurrency saturation detector.
 */
export function pickerConfig(input: PickerConfigInput, settings: PickerSettings): { [key: string]: any } {
  const { plugins, profiles } = input.config._render();
  const engine = input.eppEngineType;
  const metricFree = engine === undefined;
  const dataLayer = renderDataLayer({
    engine, engineMetrics: input.eppEngineMetrics, metricsPath: input.metricsPath, options: input.picker.dataLayer,
  });
  const fc = input.picker.flowControl ?? {};
  const flowControl: { [key: string]: any } = {};
  if (settings.flowControl && fc.maxRequests !== undefined) flowControl.maxRequests = String(fc.maxRequests);
  if (settings.flowControl && fc.requestTtl !== undefined) flowControl.defaultRequestTTL = `${fc.requestTtl.toSeconds()}s`;
  if (settings.flowControl) Object.assign(flowControl, renderFlowControlBands(fc));
  if (metricFree) flowControl.saturationDetector = { pluginRef: CONCURRENCY_DETECTOR };
  if (input.config._inputs().includes(ScorerInput.KV_EVENTS)) {
    const kv = kvEventsPickerPlugins({ servedModelName: input.servedModelName, renderUrl: input.renderUrl });
    dataLayer.plugins.push(...kv.plugins);
    dataLayer.dataLayer = { ...dataLayer.dataLayer, sources: [...(dataLayer.dataLayer?.sources ?? []), kv.source] };
  }
  // The band policies are looked up by name (loader/flowcontrol.go resolvePlugin); the loader declares only the defaults.
  const policies = settings.bandPolicies.filter((t) => !plugins.some((p) => (p.name ?? p.type) === t)).map((type) => ({ type }));
  return {
    apiVersion: input.version.configApiVersion,
    kind: 'EndpointPickerConfig',
    ...(settings.featureGates.length ? { featureGates: settings.featureGates } : {}),
    plugins: [...plugins, ...dataLayer.plugins, ...(metricFree ? [{ type: CONCURRENCY_DETECTOR }] : []), ...policies],
    schedulingProfiles: profiles,
    ...(dataLayer.dataLayer ? { dataLayer: dataLayer.dataLayer } : {}),
    ...(Object.keys(flowControl).length ? { flowControl } : {}),
  };
}

/**
 * Checks the rendered config as the picker's loader does (llm-d-router v0.10.0 pkg/epp/config/loader/configloader.go):
 * plugin names unique, profile names unique, every `pluginRef` (profiles, data layer, saturation detector) a declared
 * plugin, and the `disagg-profile-handler`'s deciders and profiles declared.
 */
export function checkPickerConfig(service: IConstruct, prop: string, doc: { [key: string]: any }): void {
  const names: string[] = (doc.plugins ?? []).map((p: any) => p.name ?? p.type);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw invalidProp(service, prop, dup, 'plugin names unique in the config (two plugins of one type need names)');
  const profiles: string[] = (doc.schedulingProfiles ?? []).map((p: any) => p.name);
  const dupProfile = profiles.find((n, i) => profiles.indexOf(n) !== i);
  if (dupProfile !== undefined) throw invalidProp(service, prop, dupProfile, 'scheduling profile names unique');
  const fc = doc.flowControl ?? {};
  const bands = [fc.defaultPriorityBand, fc.defaultNegativePriorityBand, ...(fc.priorityBands ?? [])].filter((b) => b);
  const refs: string[] = [
    ...(doc.schedulingProfiles ?? []).flatMap((p: any) => p.plugins.map((x: any) => x.pluginRef)),
    ...(fc.saturationDetector ? [fc.saturationDetector.pluginRef] : []),
    ...bands.flatMap((b: any) => [b.fairnessPolicyRef, b.orderingPolicyRef].filter((r) => r)),
    ...(doc.dataLayer?.sources ?? []).flatMap((x: any) => [x.pluginRef, ...x.extractors.map((e: any) => e.pluginRef)]),
  ];
  // buildSchedulerConfig: "only one profile handler is allowed"; the header handler's default profile must exist.
  const handlers = (doc.plugins ?? []).filter((p: any) => /-profile-handler$/.test(p.type));
  if (handlers.length > 1) throw invalidProp(service, prop, handlers.map((p: any) => p.type), 'one profile handler in the config');
  for (const p of handlers) {
    if (p.type === 'header-profile-handler' && !profiles.includes(p.parameters?.defaultProfile)) {
      throw invalidProp(service, prop, p.parameters?.defaultProfile, `a scheduling profile of the config (${profiles.join(', ')})`);
    }
  }
  for (const p of doc.plugins ?? []) {
    if (p.type !== 'disagg-profile-handler') continue;
    refs.push(...Object.values<string>(p.parameters?.deciders ?? {}));
    for (const profile of ['decode', 'prefill']) {
      const name = p.parameters?.profiles?.[profile] ?? profile;
      if (!profiles.includes(name)) throw invalidProp(service, prop, name, `a scheduling profile of the config (${profiles.join(', ')})`);
    }
  }
  const missing = refs.find((r) => !names.includes(r));
  if (missing !== undefined) throw invalidProp(service, prop, missing, `a pluginRef naming a declared plugin (${names.join(', ')})`);
}

/** The picker's command line: what the construct owns, then `extraFlags` (checked against the release's own table). */
export function pickerArgs(service: IConstruct, input: {
  /** Whether the picker sends traces to the platform's collector. */
  tracing: boolean;
  version: EppVersion;
  replicas: number;
  picker: EndpointPickerProps;
  poolName: string;
  poolNamespace?: string;
  eppTls: boolean;
  settings: PickerSettings;
  configPath: string;
  ports: { grpc: number; health: number; metrics: number };
}): string[] {
  const extra = input.picker.extraFlags ?? {};
  for (const flag of Object.keys(extra).sort()) {
    const prop = `endpointPicker.extraFlags.${flag}`;
    if (flag.startsWith('-')) throw invalidProp(service, prop, flag, 'the flag name without the leading "--"');
    input.version._requireFlag(service, prop, flag);
    if (OWNED_FLAGS.includes(flag)) {
      throw new ValidationError(service, prop, `--${flag} is set by the InferenceService (pool, ports, config, TLS, leader election, ` +
        'metrics auth, experimental plugins) and cannot be overridden; use the endpointPicker props');
    }
    if (/\s/.test(extra[flag]) || extra[flag].length === 0) throw invalidProp(service, prop, extra[flag], 'a non-empty value without spaces');
  }
  // The llm-d chart sets --tracing=false unless tracing is configured and --zap-encoder=json
  // (llm-d-router v0.10.0 config/charts/routerlib/templates/_deployment.yaml).
  const defaults: { [flag: string]: string } = { 'tracing': String(input.tracing), 'zap-encoder': 'json' };
  const merged = { ...defaults, ...extra };
  return [
    '--pool-name', input.poolName,
    ...(input.poolNamespace ? ['--pool-namespace', input.poolNamespace] : []), // otherwise the NAMESPACE env var
    '--pool-group', POOL_GROUP,
    '--config-file', input.configPath,
    '--grpc-port', String(input.ports.grpc),
    '--grpc-health-port', String(input.ports.health),
    '--metrics-port', String(input.ports.metrics),
    `--secure-serving=${input.eppTls}`,
    `--metrics-endpoint-auth=${input.settings.metricsAuth}`,
    ...(input.replicas > 1 ? ['--ha-enable-leader-election'] : []),
    ...(input.settings.allowExperimental ? [`--${ALLOW_EXPERIMENTAL_PLUGINS_FLAG}`] : []),
    ...Object.keys(merged).sort().map((flag) => `--${flag}=${merged[flag]}`),
  ];
}

/**
 * The picker container's resources: the llm-d chart's (llm-d-router v0.10.0 config/charts/routerlib/values.yaml
 * `epp.resources`: requests cpu 8, memory 8Gi; limits memory 16Gi, CPU unlimited for bursts) for fields not given.
 */
export function pickerResources(service: IConstruct, r: EndpointPickerProps['resources']): k8s.ResourceRequirements {
  validateResources(service, 'endpointPicker.resources', r);
  const cpu = r?.cpu ?? '8';
  const memory = r?.memory ?? '8Gi';
  const limits: { [k: string]: k8s.Quantity } = { memory: k8s.Quantity.fromString(r?.memory ?? '16Gi') };
  if (r?.cpuLimit !== undefined) limits.cpu = k8s.Quantity.fromString(r.cpuLimit);
  const requests: { [k: string]: k8s.Quantity } = { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) };
  if (r?.ephemeralStorage !== undefined) requests['ephemeral-storage'] = k8s.Quantity.fromString(r.ephemeralStorage);
  return { requests, limits };
}

/**
 * What the picker reads through the API server. The llm-d gateway chart grants objectives and rewrites in both
 * groups the picker discovers them in (llm-d-router v0.10.0 config/charts/llm-d-router-gateway/templates/rbac.yaml;
 * pkg/epp/server/controller_config.go prefers llm-d.ai, else the legacy inference.networking.x-k8s.io): the legacy
 * group comes with the Inference Extension add-on (its releases before v1.6 installed those CRDs), llm-d.ai with the
 * llm-d-router add-on. Leases and events only for leader election (templates/_leader-election-rbac.yaml).
 */
export function pickerNeeds(input: { llmdCrds: boolean; replicas: number }): Need[] {
  const read = ['get', 'list', 'watch'];
  return [
    { apiGroup: '', resource: 'pods', verbs: read },
    { apiGroup: POOL_GROUP, resource: 'inferencepools', verbs: read },
    { apiGroup: 'inference.networking.x-k8s.io', resource: 'inferenceobjectives', verbs: read },
    { apiGroup: 'inference.networking.x-k8s.io', resource: 'inferencemodelrewrites', verbs: read },
    ...(input.llmdCrds ? [
      { apiGroup: 'llm-d.ai', resource: 'inferenceobjectives', verbs: read },
      { apiGroup: 'llm-d.ai', resource: 'inferencemodelrewrites', verbs: read },
    ] : []),
    ...(input.replicas > 1 ? [
      { apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { apiGroup: '', resource: 'events', verbs: ['create', 'patch'] },
    ] : []),
  ];
}

/**
 * Metrics authentication: the ClusterRole and binding the llm-d chart grants the picker (llm-d-router v0.10.0
 * config/charts/routerlib/templates/_rbac.yaml) and, when a ServiceMonitor scrapes it, the picker's service-account
 * token Secret the monitor authenticates with (templates/_sa-token-secret.yaml, _servicemonitor.yaml).
 */
export function metricsAuthObjects(scope: Construct, service: IConstruct, input: {
  eppName: string; namespace?: string; labels: { [key: string]: string }; monitor?: ApiObject;
}): ApiObject {
  const name = dnsLabel([input.namespace ?? '', input.eppName, 'metrics-auth']);
  claimName(service, 'ClusterRole', undefined, name);
  claimName(service, 'ClusterRoleBinding', undefined, name);
  const role = new k8s.KubeClusterRole(scope, 'MetricsAuthClusterRole', {
    metadata: { name, labels: input.labels },
    rules: [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
    ],
  });
  new k8s.KubeClusterRoleBinding(scope, 'MetricsAuthClusterRoleBinding', {
    metadata: { name, labels: input.labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: input.eppName, namespace: input.namespace }],
  });
  if (input.monitor) {
    const secret = dnsLabel([input.eppName, 'metrics-token']);
    claimName(service, 'Secret', input.namespace, secret);
    new k8s.KubeSecret(scope, 'MetricsToken', {
      metadata: { name: secret, namespace: input.namespace, labels: input.labels, annotations: { 'kubernetes.io/service-account.name': input.eppName } },
      type: 'kubernetes.io/service-account-token',
    });
    input.monitor.addJsonPatch(JsonPatch.add('/spec/endpoints/0/authorization', { credentials: { name: secret, key: 'token' } }));
  }
  return role;
}
