/**
 * The order cdk8s writes a tree's constructs in (its DependencyGraph's topology), computed without building the graph.
 * No domain knowledge; used by AiApp (cluster/ai-app.ts), proven against cdk8s by test/cluster/ai-app-topology.test.ts.
 */
import { DependencyGraph } from 'cdk8s';
import { IConstruct, Node } from 'constructs';

/** Thrown when the dependencies inside a tree form a cycle: cdk8s's graph then throws its own error. */
const CYCLE = new Error('dependency cycle');

/**
 * `new DependencyGraph(node).topology()`, without building cdk8s's graph (a vertex with two sets per construct and a
 * route search per edge): every construct of the tree (`all`, the tree's `findAll()`) with the dependencies whose
 * target is inside the tree, roots in the graph's vertex order, each construct after what it depends on, in the order
 * of its dependencies. cdk8s's graph is used when its vertex order is not the tree order (a path that is an array
 * index comes first in the object cdk8s keys its vertices by) and for a cycle (its error).
 */
export function topology(node: Node, all: readonly IConstruct[]): IConstruct[] {
  // Only the root's children have a path without '/': the only paths that can be array indexes.
  if (all.some((c) => c.node.scope !== undefined && c.node.scope.node.scope === undefined && ARRAY_INDEX.test(c.node.id))) {
    return new DependencyGraph(node).topology();
  }
  // cdk8s finds a dependency's vertex by path: a target outside the tree is no edge, unless another tree's construct
  // has the path of one inside (read by path only then).
  const inside = new Set<IConstruct>(all);
  let byPath: Map<string, IConstruct> | undefined;
  const vertexOf = (d: IConstruct): IConstruct | undefined => {
    if (inside.has(d)) return d;
    byPath ??= new Map(all.map((c) => [c.node.path, c]));
    return byPath.get(d.node.path);
  };
  const edges = new Map<IConstruct, IConstruct[]>();
  const inbound = new Set<IConstruct>();
  for (const c of all) {
    const deps = c.node.dependencies;
    if (deps.length === 0) continue;
    const targets: IConstruct[] = [];
    for (const d of deps) {
      const t = vertexOf(d);
      if (t) targets.push(t);
    }
    edges.set(c, targets);
    for (const t of targets) inbound.add(t);
  }
  const found = new Set<IConstruct>();
  const visiting = new Set<IConstruct>();
  const out: IConstruct[] = [];
  const visit = (c: IConstruct): void => {
    if (found.has(c)) return;
    if (visiting.has(c)) throw CYCLE;
    visiting.add(c);
    for (const d of edges.get(c) ?? []) visit(d);
    visiting.delete(c);
    found.add(c);
    out.push(c);
  };
  try {
    for (const c of all) if (!inbound.has(c)) visit(c);
  } catch (e) {
    if (e === CYCLE) return new DependencyGraph(node).topology();
    throw e;
  }
  // A cycle no root reaches leaves constructs unvisited: cdk8s's graph refuses it (or leaves them out) its own way.
  return out.length === all.length ? out : new DependencyGraph(node).topology();
}

/** A property key JavaScript orders before all others (an array index), as a construct path could be. */
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;
