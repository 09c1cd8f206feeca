import { cdk, javascript, JsonPatch, release } from 'projen';

/** The cdk8s-plus line the user chose; keep every kplus use behind few files so a move is one change. */
const CDK8S_PLUS = 'cdk8s-plus-28';

/** The self-hosted runner for the jobs that run the test suite (see the workflow options below). */
const CI_RUNNER = ['self-hosted', 'cdk8s-ai'];

const project = new cdk.JsiiProject({
  name: 'cdk8s-ai',
  description:
    'Typed cdk8s constructs for AI infrastructure on Kubernetes: GPU node pools and DRA, inference services behind ' +
    'Gateway API inference routes, gang-scheduled training, eval gates and the platform around them.',
  author: 'cdk8s-ai team',
  authorAddress: 'team@cdk8s-ai.dev',
  repositoryUrl: 'https://github.com/cdk8s-ai/cdk8s-ai.git',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.19.0',
  jsiiVersion: '~6.0.0',

  // projen's jsii workflows: build.yml (every pull request: build, then package for npm, PyPI and Go) and release.yml
  // (bump, build, then publish to npm, PyPI, the Go module repository and GitHub Releases). The two jobs that run the
  // test suite need what `.ci/run` needs (root, Go 1.26, Python 3.11, ../shared next to the checkout), so they run on a
  // self-hosted runner labelled `cdk8s-ai` set up like the CI machine (CI_RUNNER); packaging and publishing stay on
  // GitHub-hosted runners (the npm registry refuses provenance from a self-hosted one). A release happens when a
  // maintainer runs the release workflow on main (not on every push: nothing is published yet, and each release goes
  // to three registries). Left out: the self-mutation job and the upgrade workflow (both push with a
  // PROJEN_GITHUB_TOKEN personal access token we do not have; a build that changes files fails instead), Mergify (not
  // installed), the semantic-title lint (our commit subjects are not Conventional Commits) and the PR template.
  githubOptions: { mergify: false, pullRequestLint: false },
  buildWorkflowOptions: { mutableBuild: false, runsOn: CI_RUNNER },
  depsUpgradeOptions: { workflow: false },
  pullRequestTemplate: false,
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  license: 'Apache-2.0',
  keywords: ['cdk8s', 'kubernetes', 'gpu', 'dra', 'inference', 'kueue', 'jobset', 'gateway-api', 'constructs'],

  peerDeps: ['cdk8s@^2.70.106', 'constructs@^10.4.2', `${CDK8S_PLUS}@^2.5.6`],
  // The CEL checker of DRA selectors; pinned: src/internal/cel-check.ts works around its has() limitation.
  bundledDeps: ['@marcbachmann/cel-js@8.0.0'],
  devDeps: ['cdk8s-cli@^2.207.60', 'dependency-cruiser@~17.4.3', 'fast-check@^4.10.2', 'yaml@^2.9.1'],

  publishToPypi: { distName: 'cdk8s-ai', module: 'cdk8s_ai' },
  publishToGo: { moduleName: 'github.com/cdk8s-ai/cdk8s-ai-go', packageName: 'cdk8sai' },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
      testTimeout: 120_000,
      maxWorkers: 2,
      // @marcbachmann/cel-js is ES modules only: Node >= 20.19 require()s it natively, but jest does so only on
      // Node >= 24.9, so below that its files are compiled to CommonJS for the tests.
      transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
      transform: {
        '/node_modules/@marcbachmann/cel-js/.+\\.js$': new javascript.Transform('ts-jest', {
          tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true, ignoreDeprecations: '6.0' },
        }),
      },
    },
  },
  tsconfigDev: { compilerOptions: { resolveJsonModule: true } },
});

// The registry mirror serves unrs-resolver 1.13.0 but not all of its platform bindings, which leaves the lock file
// incomplete for `npm ci`; 1.12.2 has every binding.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Generated code lives in the top-level imports/; jsii only compiles src/, so src/imports is a symlink to it.
project.eslint?.addIgnorePattern('imports/');
project.eslint?.addIgnorePattern('src/imports/');
project.eslint?.addIgnorePattern('examples/dist/');
project.gitattributes.addAttributes('/imports/**', 'linguist-generated');
project.gitignore.addPatterns('/examples/dist/', '/test-reports/', '/.cache/', '/dist/', '__pycache__/', '/bench/results/');
project.npmignore?.addPatterns('/examples/', '/tools/', '/test-reports/', '/bench/', '/.kube-linter.yaml', '/.checkov.yaml');
// Not for the package either: local caches, the generated TypeScript sources (lib/imports holds them compiled), CI
// and architecture notes. Without these lines `npm pack` shipped .cache/ (106 files of the binding tests' cache).
project.npmignore?.addPatterns('/.cache/', '/imports/', '/.ci/', '/docs/', '/.dependency-cruiser.cjs');

// The release job runs the test suite (CI_RUNNER) and releases from main only: projen's release workflow can be
// dispatched on any branch, and its publish jobs need the release job, so they are skipped with it.
const releaseWorkflow = project.github!.tryFindWorkflow('release')!.file!;
releaseWorkflow.patch(JsonPatch.replace('/jobs/release/runs-on', CI_RUNNER));
releaseWorkflow.patch(JsonPatch.add('/jobs/release/if', "github.ref == 'refs/heads/main'"));

// API.md groups the types the way the README introduces them (tools/docs/api-md.ts, checked by
// test/architecture/api-md.test.ts). jsii-docgen writes to a scratch file so that API.md only changes by one rename.
const docgenTask = project.tasks.tryFind('docgen')!;
docgenTask.reset('jsii-docgen -o .cache/docgen/API.md');
docgenTask.exec('ts-node --project projenrc/tsconfig.json --transpile-only tools/docs/api-md.ts .cache/docgen/API.md API.md');

project.addTask('import', {
  description: 'Regenerate imports/ offline from ../shared/k8s-schemas and ../shared/crds',
  exec: 'ts-node --project projenrc/tsconfig.json --transpile-only tools/imports/generate.ts',
});

project.addTask('testenv:build', {
  description: 'Build kube-apiserver and etcd from the Go module proxy into the cache (no-op when cached)',
  exec: 'bash tools/testenv/build.sh',
});

project.addTask('scanners:build', {
  description: 'Build kube-linter (Go module proxy) and install checkov (PyPI) into the cache (no-op when cached)',
  exec: 'bash tools/scanners/build.sh',
});

project.addTask('simcluster:build', {
  description: 'Build the simulated cluster (kube-scheduler, kube-controller-manager, kwok, Kueue, JobSet, LWS, the endpoint picker, promtool, the Grafana dashboard checker) into the cache (no-op when cached)',
  exec: 'bash tools/simcluster/build.sh > /dev/null',
});

project.addTask('test:bindings', {
  description: 'Build the Python and Go bindings and check the example synthesizes byte-identical YAML in all three',
  exec: 'ts-node --project projenrc/tsconfig.json --transpile-only tools/bindings/run.ts',
});

project.addTask('bench', {
  description: 'Fleet synth benchmark: N = 100, 1000, 3000 InferenceServices vs raw cdk8s, plain YAML, the same fleet from Python, '
    + '`helm template` of the llm-d-router chart, and time to first YAML (parts: --fleet --python --helm --cold; bench/README.md)',
  exec: 'ts-node --project bench/tsconfig.json bench/run.ts',
  receiveArgs: true,
});

project.addTask('example', {
  description: 'Synthesize the example platform (examples/) into examples/dist/',
  steps: [
    { spawn: 'compile' },
    { exec: 'cdk8s synth --no-check-upgrade', cwd: 'examples' },
  ],
});

// The test task: build the apiserver (cached), run every jest suite once, never touch snapshots, and keep a JSON
// result so CI can print a plain "N passed, N failed" line.
const testTask = project.tasks.tryFind('test')!;
testTask.reset();
testTask.spawn(project.tasks.tryFind('testenv:build')!);
testTask.spawn(project.tasks.tryFind('scanners:build')!);
testTask.spawn(project.tasks.tryFind('simcluster:build')!);
testTask.exec('jest --ci --passWithNoTests=false --json --outputFile=test-reports/jest-results.json', { receiveArgs: true });
testTask.spawn(project.eslint!.eslintTask);

project.synth();
