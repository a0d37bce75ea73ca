// Command-line flags shared by the examples: `--simulate` runs against herd's built-in
// stand-in API (no key, no network, no cost), `--latency 3s` sets its answer delay, and
// `--workspace-root` says where runs live (default $HERD_HOME or ./workspaces).

import { parseArgs } from 'node:util';
import { parseDuration, type SimulateOptions } from '../src/index.js';

export interface ExampleArgs {
  /** What to hand to Supervisor/runAgent as `simulate`; false means the real API. */
  simulate: false | SimulateOptions;
  workspaceRoot?: string;
  /** Positional words, joined: an optional prompt. */
  prompt?: string;
}

/** Parse process.argv; `defaultLatencyMs` applies only with --simulate and no --latency. */
export function parseExampleArgs(defaultLatencyMs?: number): ExampleArgs {
  const { values, positionals } = parseArgs({
    options: {
      simulate: { type: 'boolean', default: false },
      latency: { type: 'string' },
      'workspace-root': { type: 'string' },
    },
    allowPositionals: true,
  });
  // A latency means nothing against the real API, so it implies --simulate (as in the CLI).
  const simulated = values.simulate || values.latency !== undefined;
  const latencyMs = values.latency === undefined ? defaultLatencyMs : parseDuration('--latency', values.latency);
  const args: ExampleArgs = { simulate: simulated ? (latencyMs === undefined ? {} : { latencyMs }) : false };
  if (values['workspace-root'] !== undefined) args.workspaceRoot = values['workspace-root'];
  if (positionals.length > 0) args.prompt = positionals.join(' ');
  return args;
}

/** One line that makes clear whether the answers below came from a real model. */
export function describeMode(args: ExampleArgs): string {
  if (args.simulate === false) return 'mode: real Claude API (this costs money)';
  const latency = args.simulate.latencyMs === undefined ? 'default latency' : `latency ${args.simulate.latencyMs} ms`;
  return `mode: SIMULATED (herd's stand-in API on loopback, ${latency}); answers are not from a real model`;
}
