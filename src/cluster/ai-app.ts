import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, AppProps, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { TextBuffer } from '../internal/text-buffer';
import { topology } from '../internal/topology';
import { YamlWriter } from '../internal/yaml-writer';

/**
 * A cdk8s `App` that synthesizes the same files and the same bytes as cdk8s's own `App`, faster and in less memory.
 *
 * Use it in place of `App` (`const app = new AiApp();`); `cdk8s synth` and every `YamlOutputType` work unchanged:
 * the same file and folder names (indexed when charts depend on each other), the same dependency order of charts and
 * objects, the same validation errors, the same `construct-metadata.json`. Two things differ, neither visible in the
 * output:
 *
 * - the YAML is written by a writer that emits block mappings and sequences directly instead of building the `yaml`
 *   library's node tree for every document; any document it cannot prove it writes like the library (multi-line
 *   strings, anchors, non-JSON values, ...) is written by the library itself, the copy cdk8s bundles;
 * - each object is rendered and written in turn, so the rendered JSON of the whole app is never held at once
 *   (`synthYaml()` keeps only the UTF-8 bytes written so far until it returns the string; `synth()` writes each file
 *   in chunks, never holding its whole text), and
 *   construct validation runs once per synthesis after dependencies are resolved (cdk8s's `synthYaml` runs it once
 *   for the app and again for every chart, on the same tree; `synth` also validates first, before resolving
 *   dependencies, as cdk8s does).
 *
 * A chart class that overrides `toJson()` is rendered through its own `toJson()`, as cdk8s would.
 */
export class AiApp extends App {
  private readonly recordMetadata: boolean;

  /**
   * Defines an app.
   *
   * @param props The same options as cdk8s's `App` (outdir, output type and file extension, resolvers, metadata)
   */
  constructor(props: AppProps = {}) {
    super(props);
    this.recordMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
  }

  /**
   * Synthesizes every chart into one YAML string, byte-identical to cdk8s's `App.synthYaml()`.
   *
   * @returns the YAML documents of all charts in dependency order, separated by `---`
   */
  public synthYaml(): string {
    const tree = new Tree(this);
    tree.resolveDependencies();
    tree.validate();
    const writer = new YamlWriter();
    const text = new TextBuffer();
    let first = true;
    for (const chart of tree.charts()) {
      for (const doc of chartDocuments(chart)) {
        if (!first) text.append('---\n');
        first = false;
        text.append(writer.document(doc()));
      }
    }
    return text.toString();
  }

  /**
   * Synthesizes all manifests into `outdir`: the same files, names and bytes as cdk8s's `App.synth()`.
   */
  public synth(): void {
    fs.mkdirSync(this.outdir, { recursive: true });
    const tree = new Tree(this);
    tree.validate(); // cdk8s validates before resolving dependencies; the charts' own passes come after it
    const dependantCharts = tree.resolveDependencies();
    tree.validateResolved();
    const charts = tree.charts();
    const writer = new YamlWriter();
    const save = (file: string, docs: Iterable<() => unknown>) => writeDocuments(file, docs, writer);
    const ext = this.outputFileExtension;
    switch (this.yamlOutputType) {
      case YamlOutputType.FILE_PER_APP:
        if (charts.length > 0) save(path.join(this.outdir, `app${ext}`), charts.flatMap(chartDocuments));
        break;
      case YamlOutputType.FILE_PER_CHART: {
        const name = chartNamer(dependantCharts);
        for (const chart of charts) save(path.join(this.outdir, name(chart) + ext), chartDocuments(chart));
        break;
      }
      case YamlOutputType.FILE_PER_RESOURCE:
        for (const chart of charts) {
          for (const doc of chartDocuments(chart)) {
            const json = doc() as { kind: string; metadata: { name: string } } | undefined;
            if (json === undefined) continue;
            save(path.join(this.outdir, resourceFileName(json.kind, json.metadata.name) + ext), [() => json]);
          }
        }
        break;
      case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
        const name = chartNamer(dependantCharts);
        for (const chart of charts) {
          const dir = path.join(this.outdir, name(chart));
          fs.mkdirSync(dir, { recursive: true });
          for (const object of chartObjects(chart)) {
            save(path.join(dir, resourceFileName(object.kind, object.metadata.name) + ext), [() => object.toJson()]);
          }
        }
        break;
      }
      default:
        break;
    }
    if (this.recordMetadata) {
      const resources: Record<string, { path: string }> = {};
      for (const object of new Tree(this).charts().flatMap(chartObjects)) resources[object.name] = { path: object.node.path };
      fs.writeFileSync(path.join(this.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
    }
  }
}

/**
 * The construct tree of one synthesis, walked once: cdk8s's dependency resolution and validation (node_modules/
 * cdk8s/lib/app.js), with the same edges, the same order and the same error text.
 */
class Tree {
  private readonly all: IConstruct[];
  private readonly below = new Map<Node, IConstruct[]>();
  /** Whether resolving dependencies added any (a validation could read them). */
  private grew = false;

  constructor(private readonly app: App) {
    this.all = this.findAll(app.node);
  }

  /** Throws cdk8s's validation error when any construct's validations fail. */
  public validate(): void {
    const errors: string[] = [];
    for (const c of this.all) for (const error of c.node.validate()) errors.push(`[${c.node.path}] ${error}`);
    if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }

  /**
   * cdk8s's `synth` validates again for every chart after resolving dependencies (Chart.toJson), on the same tree:
   * one pass after resolving sees what all of those see, and none is needed when resolving added no dependency.
   */
  public validateResolved(): void {
    if (this.grew) this.validate();
  }

  /**
   * Turns nested charts and construct dependencies into chart and object dependencies, as cdk8s does before
   * ordering the output; returns whether any chart depends on another (cdk8s then numbers the output files).
   */
  public resolveDependencies(): boolean {
    const before = this.edges().length;
    let dependantCharts = false;
    for (const parent of this.all) {
      if (!(parent instanceof Chart)) continue;
      for (const child of parent.node.children) {
        if (child instanceof Chart) {
          parent.node.addDependency(child);
          dependantCharts = true;
        }
      }
    }
    for (const [source, target] of this.edges()) {
      const sourceChart = Chart.of(source);
      const targetChart = Chart.of(target);
      if (sourceChart !== targetChart) {
        sourceChart.node.addDependency(targetChart);
        dependantCharts = true;
      }
    }
    // Read again: the chart dependencies just added count too (every object of a chart then depends on every object
    // of the charts it depends on).
    for (const [source, target] of this.edges()) {
      const sourceChart = Chart.of(source);
      const targetChart = Chart.of(target);
      const targets = this.objectsIn(target, targetChart);
      const sources = this.objectsIn(source, sourceChart);
      for (const t of targets) {
        for (const s of sources) {
          if (t !== s) s.node.addDependency(t);
        }
      }
    }
    this.grew = this.edges().length > before;
    return dependantCharts;
  }

  /** The app's charts in cdk8s's order (`App.charts`: the topology of the whole tree, charts only). */
  public charts(): Chart[] {
    return topology(this.app.node, this.all).filter((c): c is Chart => c instanceof Chart);
  }

  private edges(): [IConstruct, IConstruct][] {
    const out: [IConstruct, IConstruct][] = [];
    for (const c of this.all) for (const dep of c.node.dependencies) out.push([c, dep]);
    return out;
  }

  private objectsIn(scope: IConstruct, chart: Chart): IConstruct[] {
    return this.findAll(scope.node).filter((c) => c instanceof ApiObject && Chart.of(c) === chart);
  }

  private findAll(node: Node): IConstruct[] {
    let found = this.below.get(node);
    if (!found) {
      found = node === this.app.node && this.all ? this.all : node.findAll();
      this.below.set(node, found);
    }
    return found;
  }
}

/** A chart's objects in dependency order, each only in its closest chart (cdk8s's `chartToKube`). */
function chartObjects(chart: Chart): ApiObject[] {
  return topology(chart.node, chart.node.findAll())
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/**
 * The documents of a chart, each rendered only when it is written. A chart class with its own `toJson()` is rendered
 * through it (cdk8s writes `Object.values(chart.toJson())`).
 */
function chartDocuments(chart: Chart): (() => unknown)[] {
  if (chart.toJson !== Chart.prototype.toJson) return Object.values(chart.toJson()).map((doc) => () => doc);
  return chartObjects(chart).map((object) => () => object.toJson());
}

/**
 * Writes documents to a file as cdk8s's `Yaml.save` does (UTF-8, joined with `---\n`), in chunks of about 1 MB as they
 * are rendered, so neither the objects' JSON nor the whole file's text is held at once.
 */
function writeDocuments(file: string, docs: Iterable<() => unknown>, writer: YamlWriter): void {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [];
    let size = 0;
    let first = true;
    for (const doc of docs) {
      const text = writer.document(doc());
      if (!first) chunk.push('---\n');
      chunk.push(text);
      first = false;
      size += text.length;
      if (size >= CHUNK) {
        fs.writeSync(fd, chunk.join(''), null, 'utf8');
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length) fs.writeSync(fd, chunk.join(''), null, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

const CHUNK = 1024 * 1024;

/** cdk8s's chart file and folder names: the chart's DNS label, numbered when charts depend on each other. */
function chartNamer(indexed: boolean): (chart: Chart) => string {
  let index = 0;
  return (chart) => (indexed ? `${(index++).toString().padStart(4, '0')}-${Names.toDnsLabel(chart)}` : Names.toDnsLabel(chart));
}

/** cdk8s's file name for one resource: `<kind>.<name>` without characters outside `[0-9a-zA-Z-_.]`. */
function resourceFileName(kind: string, name: string | undefined): string {
  return `${kind}.${name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}
