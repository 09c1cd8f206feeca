import { DcgmLabels } from './dcgm-labels';
import { selector } from '../internal/promql';

/*
 * PromQL over DCGM exporter series. Internal.
 *
 * Every namespace-level series is normalised to a `namespace` label, whatever label DCGM's pod attribution arrives
 * in, so that dashboards and alerts read the same recording rules.
 */

/** A DCGM series with its workload namespace copied into `namespace`. */
export function dcgm(metric: string, labels: DcgmLabels, ...matchers: (string | undefined)[]): string {
  const series = `${metric}{${selector(`${labels.namespaceLabel}!=""`, ...matchers)}}`;
  if (labels.namespaceLabel === 'namespace') return series;
  return `label_replace(${series}, "namespace", "$1", "${labels.namespaceLabel}", "(.*)")`;
}

/** GPU utilisation in percent, averaged by `by`. */
export function gpuUtilization(labels: DcgmLabels, by: string, ...matchers: string[]): string {
  return `avg by (${by}) (${dcgm('DCGM_FI_DEV_GPU_UTIL', labels, ...matchers)})`;
}

/** Framebuffer used / (used + free), by `by`. */
export function gpuMemoryRatio(labels: DcgmLabels, by: string, ...matchers: string[]): string {
  return `sum by (${by}) (${dcgm('DCGM_FI_DEV_FB_USED', labels, ...matchers)}) / ` +
    `(sum by (${by}) (${dcgm('DCGM_FI_DEV_FB_USED', labels, ...matchers)}) + sum by (${by}) (${dcgm('DCGM_FI_DEV_FB_FREE', labels, ...matchers)}))`;
}
