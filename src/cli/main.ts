#!/usr/bin/env node
// Entry point of the `herd` binary: parse, run, and turn every failure into a one-line
// message and the documented exit code (2 for bad usage, never a stack trace).

import { CommanderError } from 'commander';
import { HerdError, UsageError } from '../errors.js';
import { buildProgram } from './program.js';
import { EXIT_USAGE } from './exit-codes.js';
import { withHerdCommand } from './invocation.js';
import { guardOutputStreams, writeErr } from './output.js';
import { argvWithRawBytes } from './raw-argv.js';

async function main(argv: string[]): Promise<number> {
  guardOutputStreams();
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argvWithRawBytes(argv));
    return exitCode;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message; help and version are not errors.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    writeErr(`herd: ${withHerdCommand(error.message)}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof HerdError) {
    writeErr(`herd: ${error.message}\n`);
    return 1;
  }
  writeErr(`herd: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

process.exitCode = await main(process.argv);
