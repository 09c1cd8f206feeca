/**
 * Renders the default platform dashboard (the Grafana JSON that PlatformObservability puts in its ConfigMap) as an
 * SVG of its panel layout, with each panel's title, unit and query, so the README can show what Grafana will show.
 * Usage: npx ts-node --transpile-only tools/dashboard-preview/render.ts <out.svg>
 */
import * as fs from 'node:fs';
import { App, Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { AiTenant } from '../../src/platform/ai-tenant';

const CELL = 52;
const ROW = 34;
const PAD = 8;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A deterministic wiggle standing in for data, so the preview reads as a chart. */
function sparkline(x: number, y: number, w: number, h: number, seed: number, bars: boolean): string {
  const points: string[] = [];
  const n = bars ? 5 : 40;
  let out = '';
  for (let i = 0; i < n; i++) {
    const v = 0.5 + 0.35 * Math.sin((i + seed * 7) / (bars ? 1.3 : 4)) + 0.12 * Math.sin((i * 3 + seed) / 1.7);
    if (bars) {
      const bh = (h / n) * 0.7;
      out += `<rect x="${x}" y="${(y + i * (h / n)).toFixed(1)}" width="${(w * v).toFixed(1)}" height="${bh.toFixed(1)}" fill="#73bf69" opacity="0.85"/>`;
    } else {
      points.push(`${(x + (w * i) / (n - 1)).toFixed(1)},${(y + h - h * v).toFixed(1)}`);
    }
  }
  return bars ? out : `<polyline points="${points.join(' ')}" fill="none" stroke="#5794f2" stroke-width="2"/>`;
}

export function renderSvg(dashboard: any): string {
  const width = 24 * CELL + 2 * PAD;
  const bottom = Math.max(...dashboard.panels.map((p: any) => p.gridPos.y + p.gridPos.h));
  const height = bottom * ROW + 2 * PAD + 56;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#111217"/>`);
  const tenants = dashboard.templating.list.find((v: any) => v.name === 'namespace')?.query ?? '';
  parts.push(`<text x="${PAD + 4}" y="30" fill="#d8d9da" font-size="20" font-weight="bold">${escapeXml(dashboard.title)}</text>`);
  parts.push(`<text x="${PAD + 4}" y="48" fill="#8e8e8e" font-size="12">Data source: Prometheus   Tenant: All (${escapeXml(tenants)})   Last 6 hours, refresh 1m   (panel layout and queries as generated; curves illustrative)</text>`);
  dashboard.panels.forEach((p: any, i: number) => {
    const x = PAD + p.gridPos.x * CELL + 4;
    const y = 56 + PAD + p.gridPos.y * ROW + 4;
    const w = p.gridPos.w * CELL - 8;
    const h = p.gridPos.h * ROW - 8;
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#181b1f" stroke="#2c3235"/>`);
    parts.push(`<text x="${x + 10}" y="${y + 22}" fill="#d8d9da" font-size="15" font-weight="bold">${escapeXml(p.title)}</text>`);
    parts.push(`<text x="${x + w - 10}" y="${y + 22}" fill="#8e8e8e" font-size="11" text-anchor="end">unit: ${escapeXml(p.fieldConfig.defaults.unit)}</text>`);
    parts.push(sparkline(x + 14, y + 36, w - 28, h - 78, i + 1, p.type === 'bargauge'));
    const expr = p.targets[0].expr;
    const max = Math.floor((w - 20) / 6.7);
    parts.push(`<text x="${x + 10}" y="${y + h - 12}" fill="#6e9fff" font-size="11" font-family="DejaVu Sans Mono, monospace">${escapeXml(expr.length > max ? `${expr.slice(0, max - 3)}...` : expr)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

if (require.main === module) {
  const app = new App({ outdir: '/tmp/cdk8s-ai-dashboard-preview' });
  const chart = new Chart(app, 'ai-platform');
  const obs = new PlatformObservability(chart, 'Observability', { gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 4.5 }] });
  new AiTenant(chart, 'research', { team: 'research', owner: 'alice', costCenter: 'cc-100' });
  new AiTenant(chart, 'prod', { team: 'serving', owner: 'bob', costCenter: 'cc-200' });
  const out = process.argv[2] ?? 'dashboard.svg';
  fs.writeFileSync(out, renderSvg(obs.dashboardModel()));
  process.stdout.write(`wrote ${out}\n`);
}
