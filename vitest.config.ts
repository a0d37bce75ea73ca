import { defineConfig } from 'vitest/config';

// Two projects: `unit` (fake agents and pure code, parallel) and `claude` (the real claude
// binary against the simulate server: each start costs ~1.3 CPU-s and 200-300 MB, so
// these files run one at a time). The real codex and gemini CLIs (*.vendor.test.ts) run in
// the same one-at-a-time project: a gemini start costs ~2 CPU-s and 250 MB.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.claude.test.ts', 'test/**/*.vendor.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'claude',
          include: ['test/**/*.claude.test.ts', 'test/**/*.vendor.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
