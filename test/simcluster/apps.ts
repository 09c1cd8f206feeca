/**
 * Synthesized apps as the simulated cluster needs them: the objects, the pools' contracts (to make nodes from) and the
 * Kueue configuration the PlatformReport says the cluster needs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parse } from 'yaml';
import { poolContract, PoolContract } from './nodes';
import { ClusterAddon, ClusterProfile, GpuNodePool, KubernetesVersion } from '../../src';
import { KubeObject } from '../harness/objects';

export interface SynthesizedApp {
  readonly objects: KubeObject[];
  readonly pools: PoolContract[];
  /** `resources.deviceClassMappings` for Kueue, as the PlatformReport renders it (empty without DRA quotas). */
  readonly deviceClassMappings: { name: string; deviceClassNames: string[] }[];
}

/** Kueue counts DRA devices per device class (apis/config/v1beta2 DeviceClassMapping); the name is the quota's resource. */
export function deviceClassMappings(objects: readonly KubeObject[]): { name: string; deviceClassNames: string[] }[] {
  const names = new Set<string>();
  for (const o of objects.filter((x) => x.kind === 'ClusterQueue')) {
    for (const group of (o.spec as any)?.resourceGroups ?? []) {
      for (const r of group.coveredResources ?? []) {
        if (String(r).startsWith('deviceclass.resource.kubernetes.io/')) names.add(r);
      }
    }
  }
  return [...names].sort().map((name) => ({ name, deviceClassNames: [name.slice('deviceclass.resource.kubernetes.io/'.length)] }));
}

/** An app whose ClusterProfile targets `version` with the default add-ons, and `extraAddons` after them. */
export function profiledApp(version: KubernetesVersion, extraAddons: ClusterAddon[] = []): App {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: version, addons: [...ClusterAddon.defaults(), ...extraAddons] });
  return app;
}

/** Synthesizes `app` into a temporary directory (as `cdk8s synth` does) and reads back every object. */
export function synthesize(app: App): SynthesizedApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-sim-'));
  try {
    (app as any).outdir = outdir;
    app.synth();
    return readOutput(app, outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Reads an app's synthesized YAML (and the platform report when there is one). */
export function readOutput(root: IConstruct, outdir: string): SynthesizedApp {
  const files = fs.readdirSync(outdir).filter((f) => /\.k8s\.ya?ml$/.test(f)).sort();
  const objects = files.flatMap((f) => parseAll(fs.readFileSync(path.join(outdir, f), 'utf8')));
  const pools = root.node.findAll().filter((c): c is GpuNodePool => GpuNodePool.isGpuNodePool(c)).map(poolContract);
  const reportFile = fs.readdirSync(outdir).find((f) => f.endsWith('.json'));
  const report = reportFile ? JSON.parse(fs.readFileSync(path.join(outdir, reportFile), 'utf8')) : undefined;
  return { objects, pools, deviceClassMappings: report?.kueueDeviceClassMappings ?? deviceClassMappings(objects) };
}

function parseAll(text: string): KubeObject[] {
  return text.split(/^---\s*$/m).map((d) => parse(d)).filter((d) => d && typeof d === 'object') as KubeObject[];
}
