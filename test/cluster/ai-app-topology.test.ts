// AiApp orders charts and objects without building cdk8s's DependencyGraph (src/internal/topology.ts): the
// same order as `new DependencyGraph(node).topology()` on generated trees and dependencies, cycles and all.
import { App, Chart, DependencyGraph } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as fc from 'fast-check';
import { topology } from '../../src/internal/topology';

const SEED = process.env.CDK8S_AI_PROPERTY_SEED ? Number(process.env.CDK8S_AI_PROPERTY_SEED) : Math.floor(Math.random() * 0x7fffffff);

/** What cdk8s does, or the error it throws. */
function outcome(f: () => IConstruct[]): string[] | string {
  try {
    return f().map((c) => c.node.path);
  } catch (e) {
    return `throws ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const plan = fc.record({
  // parent index of each construct (0 = the chart), ids sometimes array indexes
  parents: fc.array(fc.nat(), { minLength: 1, maxLength: 25 }),
  numericIds: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  deps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }),
  outside: fc.array(fc.nat(), { maxLength: 2 }),
  // a dependency on a construct of another app whose path is that of one inside (cdk8s finds vertices by path)
  twin: fc.option(fc.nat(), { nil: undefined }),
});

test(`topology: the order of cdk8s's DependencyGraph (seed ${SEED})`, () => {
  let ordered = 0; // runs where our own ordering answered (no array-index path, no cycle)
  fc.assert(fc.property(plan, ({ parents, numericIds, deps, outside, twin }) => {
    const app = new App();
    const chart = new Chart(app, numericIds ? '7' : 'c');
    const other = new Chart(app, 'other');
    const nodes: Construct[] = [chart];
    parents.forEach((p, i) => nodes.push(new Construct(nodes[p % nodes.length], numericIds && i % 3 === 0 ? String(i) : `n${i}`)));
    for (const [a, b] of deps) {
      const [s, t] = [nodes[a % nodes.length], nodes[b % nodes.length]];
      if (s !== t) s.node.addDependency(t);
    }
    for (const o of outside) nodes[o % nodes.length].node.addDependency(other);
    if (twin !== undefined) {
      const elsewhere = new Construct(new Chart(new App(), chart.node.id), numericIds ? '0' : 'n0'); // the path of nodes[1]
      const source = nodes[twin % nodes.length];
      if (source !== nodes[1]) source.node.addDependency(elsewhere);
    }
    const expected = outcome(() => new DependencyGraph(chart.node).topology());
    if (!numericIds && Array.isArray(expected)) ordered++;
    expect(outcome(() => topology(chart.node, chart.node.findAll()))).toEqual(expected);
    expect(outcome(() => topology(app.node, app.node.findAll()))).toEqual(outcome(() => new DependencyGraph(app.node).topology()));
  }), { seed: SEED, numRuns: 2000 });
  expect(ordered).toBeGreaterThan(600);
});
