import { IConstruct } from 'constructs';
import { PRECISE_SCORER_PARAMETERS } from './epp-kv-events';
import { PdDecider } from './epp-pd-decider';
import { PluginDeclarations, ProfileSetHooks, RenderedProfile } from './epp-profile';
import { EppPluginMaturity, EppVersion } from './epp-version';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

/** What a scorer needs from the model server. */
export enum ScorerInput {
  /** Nothing: the picker tracks it itself (prefix hashes, its own in-flight requests). */
  NONE = 'None',
  /** The queue-depth metric. */
  QUEUE = 'Queue',
  /** The KV-cache utilisation metric. */
  KV_CACHE = 'KvCache',
  /** The running-requests metric. */
  RUNNING = 'Running',
  /** The LoRA metric of vLLM (`vllm:lora_requests_info`). */
  LORA = 'Lora',
  /** The server's KV-cache events over ZMQ (vLLM `--kv-events-config`). */
  KV_EVENTS = 'KvEvents',
}

/**
 * Options of the prefix-cache scorer.
 */
export interface PrefixCacheScorerOptions {
  /**
   * Weight of the match length in the score (`matchLengthWeight`).
   *
   * @default - the picker's default (0)
   */
  readonly matchLengthWeight?: number;

  /**
   * Tokens at which a match counts as full (`matchLengthScaleTokens`).
   *
   * @default - the picker's default (8192)
   */
  readonly matchLengthScaleTokens?: number;
}

/**
 * A scorer of the endpoint picker's scheduling profile, with its weight (scores are summed weighted).
 */
export class EppScorer {
  /**
   * Prefers endpoints with short queues (`queue-scorer`), reading the server's queue metric.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 2).
   */
  public static queue(weight: number = 2): EppScorer {
    return new EppScorer('queue-scorer', weight, ScorerInput.QUEUE);
  }

  /**
   * Prefers endpoints with free KV cache (`kv-cache-utilization-scorer`), reading the server's KV metric.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 2).
   */
  public static kvCacheUtilization(weight: number = 2): EppScorer {
    return new EppScorer('kv-cache-utilization-scorer', weight, ScorerInput.KV_CACHE);
  }

  /**
   * Prefers endpoints likely to hold the prompt's prefix in cache (`prefix-cache-scorer`), with no server metric.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 3).
   */
  public static prefixCache(weight: number = 3, options: PrefixCacheScorerOptions = {}): EppScorer {
    requireKind('EppScorer.prefixCache', 'weight', weight, req('number', 'a scorer weight such as 3'));
    options = checkProps('EppScorer.prefixCache', 'PrefixCacheScorerOptions', options, {
      matchLengthWeight: opt('number'), matchLengthScaleTokens: opt('number'),
    }, 'options.');
    const parameters: { [key: string]: any } = {};
    if (options.matchLengthWeight !== undefined) parameters.matchLengthWeight = options.matchLengthWeight;
    if (options.matchLengthScaleTokens !== undefined) parameters.matchLengthScaleTokens = options.matchLengthScaleTokens;
    return new EppScorer('prefix-cache-scorer', weight, ScorerInput.NONE, Object.keys(parameters).length ? parameters : undefined,
      (scope, prop) => {
        if (options.matchLengthWeight !== undefined && !(options.matchLengthWeight >= 0 && options.matchLengthWeight <= 1)) {
          throw invalidProp(scope, `${prop}.matchLengthWeight`, options.matchLengthWeight, 'a number from 0 to 1');
        }
        if (options.matchLengthScaleTokens !== undefined) requireInteger(scope, `${prop}.matchLengthScaleTokens`, options.matchLengthScaleTokens, 1);
      });
  }

  /**
   * Prefers endpoints that hold the prompt's prefix in their KV cache, as the servers report it (precise prefix-cache
   * routing): the `prefix-cache-scorer` bound to a `precise-prefix-cache-producer` that indexes each vLLM pod's
   * KV-cache events (llm-d-router v0.10.0 deploy/config/epp-precise-prefix-cache-config.yaml). The service's vLLM
   * servers then publish their KV events (`--kv-events-config`, ZMQ on port 5557), the picker subscribes to every
   * pool pod and tokenizes prompts through the service's own `/v1/completions/render`, and the network allows the
   * picker in on that port. vLLM with data 1 on one node, not disaggregated.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 3).
   */
  public static precisePrefixCache(weight: number = 3): EppScorer {
    return new EppScorer('prefix-cache-scorer', weight, ScorerInput.KV_EVENTS, { ...PRECISE_SCORER_PARAMETERS });
  }

  /**
   * Prefers endpoints that have the requested LoRA adapter loaded (`lora-affinity-scorer`), reading vLLM's LoRA
   * metric.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 1).
   */
  public static loraAffinity(weight: number = 1): EppScorer {
    return new EppScorer('lora-affinity-scorer', weight, ScorerInput.LORA);
  }

  /**
   * Prefers endpoints with fewer requests the picker has in flight to them (`active-request-scorer`), with no server
   * metric.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 1).
   */
  public static activeRequest(weight: number = 1): EppScorer {
    return new EppScorer('active-request-scorer', weight, ScorerInput.NONE);
  }

  /**
   * Prefers endpoints with fewer running requests (`running-requests-size-scorer`), reading the server's running
   * metric.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 1).
   */
  public static runningRequests(weight: number = 1): EppScorer {
    return new EppScorer('running-requests-size-scorer', weight, ScorerInput.RUNNING);
  }

  /**
   * Keeps a session on the endpoint that served it before (`session-affinity-scorer`), with no server metric.
   *
   * Alpha in llm-d-router v0.10.0: the picker then runs with `--allow-experimental-plugins`.
   *
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000 (default 1).
   */
  public static sessionAffinity(weight: number = 1): EppScorer {
    return new EppScorer('session-affinity-scorer', weight, ScorerInput.NONE);
  }

  /**
   * A scorer plugin by type, with raw parameters (unknown parameters make the picker fail at start, so check them
   * against your picker version).
   *
   * The type must be one the picker version registers; an Alpha type turns on `--allow-experimental-plugins`.
   *
   * @param pluginType The plugin type, e.g. `queue-scorer`.
   * @param weight The scorer's weight in the profile, an integer from 1 to 1000.
   * @param parameters The plugin's parameters, passed as given (default none).
   * @param input What the scorer reads from the model server (default `ScorerInput.NONE`).
   */
  public static custom(pluginType: string, weight: number, parameters?: { [key: string]: any }, input?: ScorerInput): EppScorer {
    return new EppScorer(pluginType, weight, input ?? ScorerInput.NONE, parameters);
  }

  /** The plugin type, e.g. `queue-scorer`. */
  public readonly pluginType: string;
  /** The weight in the profile. */
  public readonly weight: number;
  /** What it reads from the model server. */
  public readonly input: ScorerInput;
  /** The plugin parameters, when any. */
  public readonly parameters?: { [key: string]: any };
  private readonly check?: (scope: IConstruct, prop: string) => void;

  private constructor(pluginType: string, weight: number, input: ScorerInput, parameters?: { [key: string]: any },
    check?: (scope: IConstruct, prop: string) => void) {
    this.pluginType = pluginType;
    this.weight = weight;
    this.input = input;
    this.parameters = parameters;
    this.check = check;
  }

  /** @internal */
  public _validate(scope: IConstruct, prop: string): void {
    requirePluginType(scope, `${prop}.type`, this.pluginType);
    requireInteger(scope, `${prop}.weight`, this.weight, 1, 1000);
    this.check?.(scope, prop);
  }
}

/**
 * A filter of the scheduling profile: runs before the scorers and removes endpoints.
 */
export class EppFilter {
  /** Keeps decode-capable endpoints (pods labelled `llm-d.ai/role` decode or unlabelled). */
  public static decode(): EppFilter {
    return new EppFilter('decode-filter');
  }

  /** Keeps prefill endpoints (pods labelled `llm-d.ai/role: prefill`). */
  public static prefill(): EppFilter {
    return new EppFilter('prefill-filter');
  }

  /**
   * A filter plugin by type, with raw parameters.
   *
   * @param pluginType The plugin type, e.g. `decode-filter`.
   * @param parameters The plugin's parameters, passed as given (default none).
   */
  public static custom(pluginType: string, parameters?: { [key: string]: any }): EppFilter {
    return new EppFilter(pluginType, parameters);
  }

  /** The plugin type. */
  public readonly pluginType: string;
  /** The plugin parameters, when any. */
  public readonly parameters?: { [key: string]: any };

  private constructor(pluginType: string, parameters?: { [key: string]: any }) {
    this.pluginType = pluginType;
    this.parameters = parameters;
  }
}

/** How the picker chooses among scored endpoints. */
export enum EppPicker {
  /** The highest score (`max-score-picker`, the picker's default). */
  MAX_SCORE = 'max-score-picker',
  /** Random among endpoints (`random-picker`). */
  RANDOM = 'random-picker',
  /** Random weighted by score (`weighted-random-picker`). */
  WEIGHTED_RANDOM = 'weighted-random-picker',
}

/**
 * The scheduling profile of an EndpointPickerConfig.
 */
export interface EndpointPickerConfigProps {
  /**
   * The scorers, each at most once.
   */
  readonly scorers: EppScorer[];

  /**
   * Filters, applied in order before scoring.
   *
   * @default - none
   */
  readonly filters?: EppFilter[];

  /**
   * The picker.
   *
   * @default - the picker's default (max-score)
   */
  readonly picker?: EppPicker;
}

/**
 * The scheduling profiles of a prefill/decode disaggregated service.
 */
export interface DisaggregatedPickerConfigProps {
  /**
   * The decode profile: its scorers, filters and picker (the `decode-filter` is added when absent).
   *
   * @default - prefix-cache-scorer x2 and queue-scorer x1 (llm-d-router v0.10.0 deploy/config/pd-epp-config.yaml)
   */
  readonly decode?: EndpointPickerConfig;

  /**
   * The prefill profile: its scorers, filters and picker (the `prefill-filter` is added when absent).
   *
   * @default - prefix-cache-scorer x2 and queue-scorer x1 (llm-d-router v0.10.0 deploy/config/pd-epp-config.yaml)
   */
  readonly prefill?: EndpointPickerConfig;

  /**
   * When a request's prefill goes to a prefill pod.
   *
   * @default PdDecider.prefixBased()
   */
  readonly decider?: PdDecider;
}

/** The profile handler of a disaggregated config (llm-d-router v0.10.0 docs/disaggregation.md "Profile Handler Configuration"). */
const DISAGG_PROFILE_HANDLER = 'disagg-profile-handler';
const PREFILL_FILTER = 'prefill-filter';
const DECODE_FILTER = 'decode-filter';
const PREFIX_CACHE_SCORER = 'prefix-cache-scorer';

/**
 * The endpoint picker's scheduling: which scorers (with weights), filters and picker decide the pod for each
 * request. Rendered into the picker's ConfigMap as an `EndpointPickerConfig` and checked at synth: weights are
 * integers, plugins unique, and scorers that read a server metric are refused for a server that does not export it.
 *
 * ```ts
 * EndpointPickerConfig.defaults()          // queue x2, KV-cache x2, prefix-cache x3 (llm-d v0.10.0 default)
 * EndpointPickerConfig.metricFree()        // prefix-cache x3, active-request x2: for servers the picker cannot read
 * EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(5), EppScorer.queue(1), EppScorer.loraAffinity(2)] })
 * ```
 */
export class EndpointPickerConfig {
  /**
   * The llm-d-router v0.10.0 default profile: queue-scorer x2, kv-cache-utilization-scorer x2, prefix-cache-scorer x3.
   */
  public static defaults(): EndpointPickerConfig {
    return new EndpointPickerConfig({ scorers: [EppScorer.queue(2), EppScorer.kvCacheUtilization(2), EppScorer.prefixCache(3)] });
  }

  /**
   * A profile that reads no server metric: prefix-cache-scorer x3 and active-request-scorer x2. The default for
   * servers the picker has no engine for (TGI, custom servers without `eppEngineType`).
   */
  public static metricFree(): EndpointPickerConfig {
    return new EndpointPickerConfig({ scorers: [EppScorer.prefixCache(3), EppScorer.activeRequest(2)] });
  }

  /**
   * The two profiles of a prefill/decode disaggregated service (`decode` and `prefill`, the names the
   * `disagg-profile-handler` runs by default) and the handler with its decider, as llm-d-router v0.10.0
   * deploy/config/pd-epp-config.yaml configures it. Each profile keeps only its role's pods (`decode-filter`,
   * `prefill-filter`) and picks with max-score; both need the prefix-cache scorer (the decider reads its match info,
   * pkg/epp/framework/plugins/scheduling/profilehandler/disagg/README.md "Limitations").
   */
  public static disaggregated(props: DisaggregatedPickerConfigProps = {}): EndpointPickerConfig {
    props = checkProps('EndpointPickerConfig.disaggregated', 'DisaggregatedPickerConfigProps', props, {
      decode: opt(EndpointPickerConfig), prefill: opt(EndpointPickerConfig), decider: opt(PdDecider, 'a PdDecider such as PdDecider.prefixBased()'),
    });
    const pdDefault = () => new EndpointPickerConfig({ scorers: [EppScorer.prefixCache(2), EppScorer.queue(1)] });
    const decode = props.decode ?? pdDefault();
    const prefill = props.prefill ?? pdDefault();
    for (const [role, c] of [['decode', decode], ['prefill', prefill]] as const) {
      if (c.prefill || c._isProfileSet) {
        throw new ValidationError('EndpointPickerConfig.disaggregated', role, 'is itself a disaggregated config or a profile set; give one profile ' +
          '(EndpointPickerConfig.of or .defaults)');
      }
    }
    return new EndpointPickerConfig({ scorers: decode.scorers, filters: decode.filters, picker: decode.picker },
      { prefill, decider: props.decider ?? PdDecider.prefixBased() });
  }

  /**
   * A profile of your own.
   */
  public static of(props: EndpointPickerConfigProps): EndpointPickerConfig {
    checkProps('EndpointPickerConfig.of', 'EndpointPickerConfigProps', props, {
      scorers: req('array', 'a list of EppScorer such as [EppScorer.queue(), EppScorer.prefixCache()]'),
      filters: opt('array'),
      picker: opt('string', 'an EppPicker such as EppPicker.MAX_SCORE'),
    });
    props.scorers.forEach((x, i) => requireKind('EndpointPickerConfig.of', `scorers[${i}]`, x, req(EppScorer, 'an EppScorer such as EppScorer.queue()')));
    (props.filters ?? []).forEach((x, i) => requireKind('EndpointPickerConfig.of', `filters[${i}]`, x, req(EppFilter, 'an EppFilter such as EppFilter.decode()')));
    return new EndpointPickerConfig(props);
  }

  /**
   * A config of several profiles (EndpointPickerProfiles renders and checks them).
   * @internal
   */
  public static _ofProfileSet(defaultProfile: EndpointPickerConfig, set: ProfileSetHooks): EndpointPickerConfig {
    const p = defaultProfile;
    return new EndpointPickerConfig({ scorers: p.scorers, filters: p.filters, picker: p.picker }, undefined, set);
  }

  /** The scorers. */
  public readonly scorers: EppScorer[];
  /** The filters. */
  public readonly filters: EppFilter[];
  /** The picker, when set. */
  public readonly picker?: EppPicker;
  /** The prefill profile, when the config is a disaggregated one (the other fields are then the decode profile). */
  public readonly prefill?: EndpointPickerConfig;
  /** The prefill/decode decider, when the config is a disaggregated one. */
  public readonly decider?: PdDecider;
  /** The profiles when the config is a profile set (EndpointPickerProfiles); the other fields are then its default profile's. */
  private readonly profileSet?: ProfileSetHooks;

  private constructor(props: EndpointPickerConfigProps, pd?: { prefill: EndpointPickerConfig; decider: PdDecider }, profileSet?: ProfileSetHooks) {
    this.scorers = [...props.scorers];
    this.filters = [...(props.filters ?? [])];
    this.picker = props.picker;
    this.prefill = pd?.prefill;
    this.decider = pd?.decider;
    this.profileSet = profileSet;
  }

  /**
   * Whether the config is a set of several profiles.
   * @internal
   */
  public get _isProfileSet(): boolean {
    return this.profileSet !== undefined;
  }

  /**
   * Checks the profile against what the server exports.
   * @internal
   */
  public _validate(scope: IConstruct, prop: string, server: { name: string; inputs: ScorerInput[] }, version?: EppVersion): void {
    if (this.profileSet) return this.profileSet.validate(scope, prop, server, version);
    if (this.prefill && this.decider) {
      this._validateProfile(scope, `${prop}.decode`, server, version);
      this.prefill._validateProfile(scope, `${prop}.prefill`, server, version);
      this.decider._validate(scope, `${prop}.decider`);
      for (const [role, c, wrong] of [['decode', this, PREFILL_FILTER], ['prefill', this.prefill, DECODE_FILTER]] as const) {
        if (c.filters.some((f) => f.pluginType === wrong)) {
          throw invalidProp(scope, `${prop}.${role}.filters`, wrong, `filters without ${wrong}: the ${role} profile keeps the ${role} pods`);
        }
        if (!c.scorers.some((x) => x.pluginType === PREFIX_CACHE_SCORER)) {
          throw new ValidationError(scope, `${prop}.${role}.scorers`, `have no ${PREFIX_CACHE_SCORER}; a disaggregated profile needs it ` +
            '(the prefill/decode decider reads its prefix match, llm-d-router v0.10.0 profilehandler/disagg/README.md): add EppScorer.prefixCache()');
        }
      }
      if (version) {
        for (const type of [DISAGG_PROFILE_HANDLER, this.decider.pluginType, PREFILL_FILTER, DECODE_FILTER]) {
          if (!version.hasPlugin(type)) {
            throw new ValidationError(scope, 'endpointPicker.version', `v${version.version} does not register ${JSON.stringify(type)}, ` +
              'which prefill/decode disaggregation needs; use EppVersion.V0_10_0');
          }
        }
      }
      return;
    }
    this._validateProfile(scope, prop, server, version);
  }

  /** @internal */
  public _validateProfile(scope: IConstruct, prop: string, server: { name: string; inputs: ScorerInput[] }, version?: EppVersion): void {
    if (this.scorers.length === 0) throw new ValidationError(scope, `${prop}.scorers`, 'is empty; the profile needs at least one scorer');
    this.scorers.forEach((s, i) => s._validate(scope, `${prop}.scorers[${i}]`));
    this.filters.forEach((f, i) => requirePluginType(scope, `${prop}.filters[${i}].type`, f.pluginType));
    if (version) {
      this.scorers.forEach((s, i) => version._requirePlugin(scope, `${prop}.scorers[${i}].type`, s.pluginType));
      this.filters.forEach((f, i) => version._requirePlugin(scope, `${prop}.filters[${i}].type`, f.pluginType));
      if (this.picker) version._requirePlugin(scope, `${prop}.picker`, this.picker);
    }
    const types = [...this.scorers.map((s) => s.pluginType), ...this.filters.map((f) => f.pluginType)];
    const duplicate = types.find((t, i) => types.indexOf(t) !== i);
    if (duplicate) throw invalidProp(scope, prop, duplicate, 'each plugin at most once in a profile');
    for (const s of this.scorers) {
      if (s.input !== ScorerInput.NONE && !server.inputs.includes(s.input)) {
        throw new ValidationError(scope, `${prop}.scorers`, `${s.pluginType} reads the server's ${s.input} metric, which ${server.name} ` +
          'does not export to the endpoint picker; use scorers that read no server metric (EndpointPickerConfig.metricFree()) ' +
          'or a server the picker has an engine for');
      }
    }
  }

  /**
   * What the config's scorers read from the servers, every profile.
   * @internal
   */
  public _inputs(): ScorerInput[] {
    if (this.profileSet) return this.profileSet.inputs() as ScorerInput[];
    const own = this.scorers.map((s) => s.input);
    return [...new Set([...own, ...(this.prefill ? this.prefill._inputs() : [])])];
  }

  /**
   * The plugin types of the profile that `version` registers as Alpha (they need `--allow-experimental-plugins`).
   * @internal
   */
  public _alphaPlugins(version: EppVersion): string[] {
    if (this.profileSet) return this.profileSet.alphaPlugins(version);
    const types = [...this.filters.map((f) => f.pluginType), ...this.scorers.map((s) => s.pluginType)];
    if (this.picker) types.push(this.picker);
    if (this.prefill && this.decider) {
      types.push(...this.prefill._alphaPlugins(version), this.decider.pluginType, DISAGG_PROFILE_HANDLER);
    }
    return [...new Set(types)].filter((t) => version.pluginMaturity(t) === EppPluginMaturity.ALPHA);
  }

  /**
   * The config file's plugins and profile (the caller adds apiVersion and the data layer).
   * @internal
   */
  public _render(): { plugins: any[]; profiles: RenderedProfile[] } {
    if (this.profileSet) return this.profileSet.render();
    if (!this.prefill || !this.decider) {
      const plugin = (type: string, parameters?: { [key: string]: any }) => (parameters ? { type, parameters } : { type });
      const plugins = [
        ...this.filters.map((f) => plugin(f.pluginType, f.parameters)),
        ...this.scorers.map((s) => plugin(s.pluginType, s.parameters)),
        ...(this.picker ? [plugin(this.picker)] : []),
      ];
      const profile = [
        ...this.filters.map((f) => ({ pluginRef: f.pluginType })),
        ...this.scorers.map((s) => ({ pluginRef: s.pluginType, weight: s.weight })),
        ...(this.picker ? [{ pluginRef: this.picker }] : []),
      ];
      return { plugins, profiles: [{ name: 'default', plugins: profile }] };
    }
    const declarations = new PluginDeclarations();
    const profileOf = (name: string, c: EndpointPickerConfig, roleFilter: string): RenderedProfile => {
      const filters = c.filters.some((f) => f.pluginType === roleFilter) ? c.filters : [EppFilter.custom(roleFilter), ...c.filters];
      // Each profile picks explicitly, as pd-epp-config.yaml does.
      return declarations.profile(name, filters, c.picker ?? EppPicker.MAX_SCORE, c.scorers);
    };
    const profiles = [profileOf('prefill', this.prefill, PREFILL_FILTER), profileOf('decode', this, DECODE_FILTER)];
    // The decider before the handler that names it (the README: deciders "must match plugin names declared earlier").
    const decider = declarations.declare('', this.decider.pluginType, this.decider.parameters);
    declarations.declare('', DISAGG_PROFILE_HANDLER, { deciders: { prefill: decider } });
    const plugins = declarations.render();
    return { plugins, profiles };
  }
}

function requirePluginType(scope: IConstruct, prop: string, type: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(type)) throw invalidProp(scope, prop, type, 'a plugin type such as "queue-scorer"');
}
