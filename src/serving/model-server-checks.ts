import { checkProps, opt, PropCheck, req } from '../internal/runtime-checks';

/** Props every built-in server takes (`ModelServerOptions`). */
const COMMON: { readonly [prop: string]: PropCheck } = {
  image: opt('string'), port: opt('number'), extraArgs: opt('string[]'), env: opt('string-map'),
};

const BUILT_IN: { readonly [factory: string]: { readonly [prop: string]: PropCheck } } = {
  vllm: { ...COMMON, maxModelLen: opt('number'), gpuMemoryUtilization: opt('number'), enablePrefixCaching: opt('boolean'), kvOffloadingSize: opt('size') },
  sglang: { ...COMMON, memFractionStatic: opt('number'), contextLength: opt('number') },
  tgi: { ...COMMON, maxInputTokens: opt('number'), maxTotalTokens: opt('number') },
};

const TYPE_NAMES: { readonly [factory: string]: string } = { vllm: 'VllmOptions', sglang: 'SglangOptions', tgi: 'TgiOptions' };

/**
 * Runtime checks of the options of `ModelServer.vllm/sglang/tgi` (plain JavaScript passes anything): returns the
 * options (`{}` when left out) or throws our ValidationError naming the option.
 */
export function checkServerOptions<T>(factory: 'vllm' | 'sglang' | 'tgi', options: T | undefined): T {
  return checkProps(`ModelServer.${factory}`, TYPE_NAMES[factory], options, BUILT_IN[factory], 'options.');
}

/** Runtime checks of `ModelServer.custom`'s options. */
export function checkCustomServerOptions<T>(options: T): T {
  return checkProps('ModelServer.custom', 'CustomModelServerOptions', options, {
    name: req('string', 'a DNS-1123 label such as "trtllm"'),
    image: req('string', 'a container image reference'),
    command: opt('string[]'),
    args: opt('string[]'),
    port: opt('number'),
    healthPath: opt('string'),
    readinessPath: opt('string'),
    metricsPath: opt('string'),
    env: opt('string-map'),
    eppEngineType: opt('string'),
    eppMetrics: opt('object'),
    downloadsFromHub: opt('boolean'),
    tensorParallel: opt('boolean'),
  }, 'options.');
}
