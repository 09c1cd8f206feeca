import { IConstruct } from 'constructs';
import { requireInteger } from '../internal/errors';
import { checkProps, opt } from '../internal/runtime-checks';

/**
 * Options of the prefix-based prefill/decode decider (`prefix-based-pd-decider`, llm-d-router v0.10.0
 * pkg/epp/framework/plugins/scheduling/profilehandler/disagg/README.md).
 */
export interface PrefixBasedDeciderOptions {
  /**
   * Prompt tokens not already cached on the chosen decode pod at which the prompt is prefilled on a prefill pod.
   *
   * The decider's `nonCachedTokens`: 0 would disable disaggregation, so at least 1.
   *
   * @default 16
   */
  readonly nonCachedTokens?: number;

  /**
   * Prompts shorter than this many tokens are always prefilled on the decode pod.
   *
   * The decider's `promptTokens`: 0 means no such gate.
   *
   * @default 0
   */
  readonly promptTokens?: number;
}

/**
 * When the endpoint picker sends a request's prefill to a prefill pod: the decider plugin of its
 * `disagg-profile-handler`. The decode pod is always picked first; the decider then says whether a prefill pod is
 * picked too (otherwise the decode pod prefills itself).
 */
export class PdDecider {
  /**
   * Prefill remotely when enough of the prompt is not cached on the chosen decode pod (`prefix-based-pd-decider`).
   * The default `nonCachedTokens` 16 is llm-d-router v0.10.0 deploy/config/pd-epp-config.yaml's.
   */
  public static prefixBased(options: PrefixBasedDeciderOptions = {}): PdDecider {
    options = checkProps('PdDecider.prefixBased', 'PrefixBasedDeciderOptions', options, {
      nonCachedTokens: opt('number'), promptTokens: opt('number'),
    }, 'options.');
    const parameters = {
      nonCachedTokens: options.nonCachedTokens ?? 16,
      ...(options.promptTokens !== undefined ? { promptTokens: options.promptTokens } : {}),
    };
    return new PdDecider('prefix-based-pd-decider', parameters, (scope, prop) => {
      requireInteger(scope, `${prop}.nonCachedTokens`, parameters.nonCachedTokens, 1, 10_000_000);
      if (options.promptTokens !== undefined) requireInteger(scope, `${prop}.promptTokens`, options.promptTokens, 0, 10_000_000);
    });
  }

  /** Prefill every request on a prefill pod (`always-disagg-pd-decider`, meant for tests and benchmarks upstream). */
  public static always(): PdDecider {
    return new PdDecider('always-disagg-pd-decider');
  }

  /** The plugin type. */
  public readonly pluginType: string;
  /** The plugin parameters, when any. */
  public readonly parameters?: { [key: string]: any };
  private readonly check?: (scope: IConstruct, prop: string) => void;

  private constructor(pluginType: string, parameters?: { [key: string]: any }, check?: (scope: IConstruct, prop: string) => void) {
    this.pluginType = pluginType;
    this.parameters = parameters;
    this.check = check;
  }

  /** @internal */
  public _validate(scope: IConstruct, prop: string): void {
    this.check?.(scope, prop);
  }
}
