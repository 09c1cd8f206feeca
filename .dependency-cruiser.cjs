// The layer order of src/ (docs/architecture.md), enforced by test/architecture/layers.test.ts.
// Bottom to top; a folder may import only from its own layer's folder and the layers below it.
const LAYERS = [
  ['internal'],
  ['cluster'],
  ['security'],
  ['accelerators'],
  ['serving', 'training', 'agents'],
  ['evals'],
  ['platform'],
];

function layerRules() {
  const rules = [];
  LAYERS.forEach((folders, i) => {
    const above = LAYERS.slice(i + 1).flat();
    for (const folder of folders) {
      const siblings = folders.filter((f) => f !== folder);
      const forbidden = [...above, ...siblings];
      if (forbidden.length === 0) continue;
      rules.push({
        name: `layer-${folder}`,
        comment: `src/${folder}/ may not import from ${forbidden.map((f) => `src/${f}/`).join(', ')} (layers above it or workloads beside it)`,
        severity: 'error',
        from: { path: `^src/${folder}/` },
        to: { path: `^src/(${forbidden.join('|')})/` },
      });
    }
  });
  return rules;
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/imports/' },
    tsPreCompilationDeps: true,
    
  },
};
