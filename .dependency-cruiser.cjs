// Import rules of agent-herd: folders are layers, and an arrow never points up.
// `npm run lint:imports` checks them (part of `npm test`). docs/architecture.md explains them.

/**
 * Which folders each folder of src/ may import (besides itself and the root vocabulary:
 * types.ts, events.ts, errors.ts, options.ts, results.ts, turn.ts). Top of the list = top layer.
 */
const MAY_IMPORT = {
  cli: [
    'ui',
    'supervisor',
    'bench',
    'workflow',
    'queue',
    'attempt',
    'agents',
    'process',
    'pool',
    'store',
    'workspace',
    'simulate',
    'progress',
    'report',
    'secrets',
    'text',
  ],
  ui: ['supervisor', 'workflow', 'store', 'workspace', 'progress', 'report', 'secrets', 'text'],
  bench: ['supervisor', 'attempt', 'agents', 'process', 'simulate', 'report', 'secrets', 'workspace', 'repo'],
  supervisor: ['workflow', 'queue', 'attempt', 'agents', 'process', 'pool', 'store', 'workspace', 'repo', 'simulate', 'report', 'secrets', 'text', 'sandbox'],
  workflow: ['pool', 'store', 'workspace', 'repo', 'report', 'secrets', 'text'],
  // Agent jobs on Redis: the submitter's client and `herd worker`, which runs jobs with the same attempt machinery.
  queue: ['attempt', 'agents', 'process', 'pool', 'workspace', 'simulate', 'secrets', 'text'],
  attempt: ['agents', 'process', 'secrets', 'text'],
  agents: ['process', 'text'],
  process: ['text'],
  progress: ['report', 'text'],
  report: ['store', 'workspace', 'secrets', 'text'],
  store: ['secrets', 'workspace'],
  pool: [],
  workspace: [],
  // The only folder that runs git (worktrees, change records, diffs, apply); beside workspace/.
  repo: [],
  simulate: [],
  secrets: [],
  text: [],
  /** The bubblewrap argv prefix and its probe: pure, below everything that runs agents. */
  sandbox: [],
};

/**
 * Libraries that only one folder may import: the rest of herd goes through that folder. zod has
 * two owners, each for its own documents: workflow/ (task files) and store/ (run.json read back).
 */
const OWNED_LIBRARIES = {
  execa: 'process',
  'p-map': 'pool',
  'tmp-promise': 'workspace',
  'fs-extra': 'workspace',
  commander: 'cli',
  zod: ['workflow', 'store'],
  yaml: 'workflow',
  'log-update': 'progress',
  bullmq: 'queue',
  ioredis: 'queue',
};

const ROOT_FILES = '^src/(types|events|errors|options|results|turn|index)\\.ts$';
const folders = Object.keys(MAY_IMPORT);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one responsibility, or a type lives in the wrong place.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'root-is-vocabulary',
      severity: 'error',
      comment: 'The root files are the shared vocabulary: they import only each other.',
      from: { path: '^src/(types|events|errors|options|results|turn)\\.ts$' },
      to: { path: '^src/[^/]+/' },
    },
    ...folders.map((folder) => ({
      name: `layer-${folder}`,
      severity: 'error',
      comment: `src/${folder}/ may import only: ${MAY_IMPORT[folder].join(', ') || 'nothing but the root'}`,
      from: { path: `^src/${folder}/` },
      to: { path: '^src/', pathNot: [`^src/${folder}/`, ROOT_FILES, ...MAY_IMPORT[folder].map((allowed) => `^src/${allowed}/`)] },
    })),
    ...Object.entries(OWNED_LIBRARIES).map(([library, owner]) => {
      const owners = [owner].flat();
      return {
        name: `only-${owners.join('-and-')}-import-${library}`,
        severity: 'error',
        comment: `${library} is used through src/${owners.join('/ and src/')}/ only`,
        from: { path: '^src/', pathNot: owners.map((folder) => `^src/${folder}/`) },
        to: { dependencyTypes: ['npm'], path: `node_modules/${library}/` },
      };
    }),
    {
      name: 'no-unknown-folder',
      severity: 'error',
      comment: 'A new folder of src/ needs its place in MAY_IMPORT first.',
      from: { path: '^src/[^/]+/', pathNot: `^src/(${folders.join('|')})/` },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
