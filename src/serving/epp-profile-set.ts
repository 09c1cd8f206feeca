import { IConstruct } from 'constructs';
import { EndpointPickerConfig, EppPicker, ScorerInput } from './endpoint-picker-config';
import { PluginDeclarations, ProfileSetHooks, RenderedProfile } from './epp-profile';
import { EppPluginMaturity, EppVersion } from './epp-version';
import { invalidProp, ValidationError } from '../internal/errors';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

/**
 * The profile handler that runs the scheduling profile a request header names (llm-d-router v0.10.0
 * pkg/epp/framework/plugins/scheduling/profilehandler/headerprofile/header_profile_handler.go; Alpha in
 * cmd/epp/runner/runner.go, so the picker runs with `--allow-experimental-plugins`).
 */
const HEADER_PROFILE_HANDLER = 'header-profile-handler';
/** header_profile_handler.go defaultHeaderName (matched lower-cased). */
const DEFAULT_HEADER = 'epp-profile';

/**
 * A named scheduling profile of a profile set.
 */
export interface EppNamedProfile {
  /**
   * The profile's name: the value of the selecting header that runs it (lowercase letters, digits and '-').
   */
  readonly name: string;

  /**
   * The profile's scorers, filters and picker (EndpointPickerConfig.of, .defaults or .metricFree).
   */
  readonly config: EndpointPickerConfig;
}

/**
 * Scheduling profiles chosen per request by a header.
 */
export interface HeaderSelectedProfilesProps {
  /**
   * The profiles, at least two.
   */
  readonly profiles: EppNamedProfile[];

  /**
   * The profile that runs when a request has no selecting header (`defaultProfile`).
   *
   * @default - the first profile
   */
  readonly defaultProfile?: string;

  /**
   * The request header whose value names the profile (`headerName`, matched case-insensitively).
   *
   * @default 'epp-profile' (the handler's default, header_profile_handler.go defaultHeaderName "EPP-Profile")
   */
  readonly header?: string;
}

/**
 * Endpoint picker configs of several scheduling profiles, beyond the prefill/decode pair.
 *
 * ```ts
 * EndpointPickerProfiles.selectedByHeader({
 *   profiles: [
 *     { name: 'latency', config: EndpointPickerConfig.of({ scorers: [EppScorer.queue(3), EppScorer.kvCacheUtilization(1)] }) },
 *     { name: 'cache', config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(5), EppScorer.queue(1)] }) },
 *   ],
 * })
 * ```
 */
export class EndpointPickerProfiles {
  /**
   * Profiles a request picks with a header (`header-profile-handler`, llm-d-router v0.10.0): a request carrying
   * `epp-profile: cache` runs the `cache` profile, one without the header the default profile, and one naming no
   * profile of the set is refused by the picker (HTTP 429). The handler is Alpha in v0.10.0, so the picker runs with
   * `--allow-experimental-plugins`.
   */
  public static selectedByHeader(props: HeaderSelectedProfilesProps): EndpointPickerConfig {
    const where = 'EndpointPickerProfiles.selectedByHeader';
    checkProps(where, 'HeaderSelectedProfilesProps', props, {
      profiles: req('array', 'a list of { name, config } such as [{ name: \'latency\', config: EndpointPickerConfig.defaults() }]'),
      defaultProfile: opt('string'),
      header: opt('string'),
    });
    props.profiles.forEach((p, i) => {
      checkProps(where, 'EppNamedProfile', p, { name: req('string'), config: req(EndpointPickerConfig) }, `profiles[${i}].`);
      requireKind(where, `profiles[${i}].config`, p.config, req(EndpointPickerConfig));
    });
    const set = new HeaderProfileSet(props.profiles.map((p) => ({ name: p.name, config: p.config })),
      props.defaultProfile ?? props.profiles[0]?.name, (props.header ?? DEFAULT_HEADER).toLowerCase());
    const first = props.profiles[0]?.config ?? EndpointPickerConfig.defaults();
    return EndpointPickerConfig._ofProfileSet(first, set);
  }

  private constructor() {}
}

/** RFC 9110 token characters, without the pseudo-header colon. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const PROFILE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

class HeaderProfileSet implements ProfileSetHooks {
  constructor(private readonly profiles: EppNamedProfile[], private readonly defaultProfile: string | undefined, private readonly header: string) {}

  public validate(scope: IConstruct, prop: string, server: { name: string; inputs: string[] }, version?: EppVersion): void {
    if (this.profiles.length < 2) {
      throw new ValidationError(scope, `${prop}.profiles`, `has ${this.profiles.length} profile(s); a profile set needs at least two ` +
        '(give one profile with EndpointPickerConfig.of)');
    }
    const names = new Set<string>();
    this.profiles.forEach((p, i) => {
      const at = `${prop}.profiles[${i}]`;
      if (!PROFILE_NAME.test(p.name) || p.name.length > 63) throw invalidProp(scope, `${at}.name`, p.name, 'a DNS label such as "latency"');
      if (names.has(p.name)) throw invalidProp(scope, `${at}.name`, p.name, 'a name no other profile of the set has');
      names.add(p.name);
      if (p.config.prefill || p.config._isProfileSet) {
        throw new ValidationError(scope, `${at}.config`, 'is a disaggregated config or a profile set; give one profile (EndpointPickerConfig.of)');
      }
      p.config._validateProfile(scope, `${at}.config`, server as { name: string; inputs: ScorerInput[] }, version);
    });
    if (!this.defaultProfile || !names.has(this.defaultProfile)) {
      throw invalidProp(scope, `${prop}.defaultProfile`, this.defaultProfile, `a profile of the set (${[...names].join(', ')})`);
    }
    if (!HEADER_NAME.test(this.header)) throw invalidProp(scope, `${prop}.header`, this.header, 'an HTTP header name such as "epp-profile"');
    if (version && !version.hasPlugin(HEADER_PROFILE_HANDLER)) {
      throw new ValidationError(scope, 'endpointPicker.version', `v${version.version} does not register ${JSON.stringify(HEADER_PROFILE_HANDLER)}, ` +
        'which a header-selected profile set needs; use EppVersion.V0_10_0');
    }
  }

  public inputs(): string[] {
    return [...new Set(this.profiles.flatMap((p) => p.config._inputs()))];
  }

  public alphaPlugins(version: EppVersion): string[] {
    const types = [HEADER_PROFILE_HANDLER, ...this.profiles.flatMap((p) => p.config._alphaPlugins(version))];
    return [...new Set(types)].filter((t) => version.pluginMaturity(t) === EppPluginMaturity.ALPHA);
  }

  public render(): { plugins: any[]; profiles: RenderedProfile[] } {
    const declarations = new PluginDeclarations();
    // Each profile picks explicitly (the loader would add a shared picker, ensureSchedulingLayer).
    const profiles = this.profiles.map((p) =>
      declarations.profile(p.name, p.config.filters, p.config.picker ?? EppPicker.MAX_SCORE, p.config.scorers));
    declarations.declare('', HEADER_PROFILE_HANDLER, { headerName: this.header, defaultProfile: this.defaultProfile });
    const plugins = declarations.render();
    return { plugins, profiles };
  }
}
