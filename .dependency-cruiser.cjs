// Import rules of agent-herd: folders are layers, and an arrow never points up.
// `npm run lint:imports` checks them (part of `npm test`). docs/architecture.md explains them.

/**
 * Which folders each folder of src/ may import (besides itself and the root vocabulary:
 * types.ts, events.ts, errors.ts, options.ts, results.ts, turn.ts). Top of the list = top layer.
 */
const MAY_IMPORT = {
  cli: ['supervisor', 'bench', 'workflow', 'attempt', 'agents', 'process', 'pool', 'store', 'workspace', 'simulate', 'progress', 'report', 'secrets', 'text'],
  bench: ['supervisor', 'attempt', 'agents', 'process', 'simulate', 'report', 'secrets', 'workspace', 'repo'],
  supervisor: ['workflow', 'attempt', 'agents', 'process', 'pool', 'store', 'workspace', 'repo', 'simulate', 'report', 'secrets', 'text'],
  workflow: ['pool', 'store', 'workspace', 'repo', 'report', 'secrets', 'text'],
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
};

/** Libraries that only one folder may import: the rest of herd goes through that folder. */
const OWNED_LIBRARIES = {
  execa: 'process',
  'p-map': 'pool',
  'tmp-promise': 'workspace',
  'fs-extra': 'workspace',
  commander: 'cli',
  zod: 'workflow',
  yaml: 'workflow',
  'log-update': 'progress',
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
    ...Object.entries(OWNED_LIBRARIES).map(([library, owner]) => ({
      name: `only-${owner}-imports-${library}`,
      severity: 'error',
      comment: `${library} is used through src/${owner}/ only`,
      from: { path: '^src/', pathNot: `^src/${owner}/` },
      to: { dependencyTypes: ['npm'], path: `node_modules/${library}/` },
    })),
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
