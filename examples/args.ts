// Command-line flags shared by the examples, named as in the herd CLI: `--simulate` runs
// against herd's built-in stand-in API (no key, no network, no cost), `--simulate-latency 3s`
// sets its answer delay (and implies --simulate), and `--workspace-root` says where runs live
// (default $HERD_HOME or ./workspaces). A bad flag is one line and exit 2, as in the CLI.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration, type SimulateOptions } from '../src/index.js';

export interface ExampleArgs {
  /** What to hand to Supervisor/runAgent as `simulate`; false means the real API. */
  simulate: false | SimulateOptions;
  workspaceRoot?: string;
  /** Positional words, joined: an optional prompt. */
  prompt?: string;
}

const USAGE = '[--simulate] [--simulate-latency <duration>] [--workspace-root <dir>] ["<prompt>"]';

/** Parse process.argv; `defaultLatencyMs` applies only with --simulate and no --simulate-latency. */
export function parseExampleArgs(defaultLatencyMs?: number, argv: string[] = process.argv.slice(2)): ExampleArgs {
  try {
    return readArgs(argv, defaultLatencyMs);
  } catch (error) {
    // parseArgs throws a TypeError with a stack and a paragraph; a person needs one line.
    const script = path.basename(process.argv[1] ?? 'example');
    const message = ((error as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional argument.*$/, '');
    process.stderr.write(`${script}: ${message} (usage: ${script} ${USAGE})\n`);
    process.exit(2);
  }
}

function readArgs(argv: string[], defaultLatencyMs: number | undefined): ExampleArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      simulate: { type: 'boolean', default: false },
      'simulate-latency': { type: 'string' },
      'workspace-root': { type: 'string' },
    },
    allowPositionals: true,
  });
  const latency = values['simulate-latency'];
  // A latency means nothing against the real API, so it implies --simulate (as in the CLI).
  const simulated = values.simulate || latency !== undefined;
  const latencyMs = latency === undefined ? defaultLatencyMs : parseDuration('--simulate-latency', latency);
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
