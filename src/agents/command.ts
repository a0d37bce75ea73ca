// The generic adapter: any program. The prompt is its last argument (unless `promptArg`
// is false), in $HERD_PROMPT, and on stdin with `promptStdin`; exit 0 means success, and the
// tail of stdout is the answer.

import type { ProcessExit } from '../process/exit.js';
import type { AgentTask } from '../types.js';
import type { AgentAdapter, AgentOutcome, AgentProgress, CommandSpec, ParsedSignal } from './adapter.js';
import { describeExit, judgeProcessFailure } from './process-outcome.js';
import { promptGoesOnStdin } from './prompt-delivery.js';
import { encodeRawBytes } from '../text/raw-bytes.js';

/** Only the end of stdout is kept as the answer: memory stays bounded whatever the program prints. */
const MAX_RESULT_CHARS = 64 * 1024;

export function createCommandAdapter(): AgentAdapter {
  return {
    name: 'command',
    command(task: AgentTask): CommandSpec {
      const [file, ...args] = task.command ?? [];
      if (file === undefined) throw new Error(`task "${task.id}": agent "command" needs a command`);
      // A variable cannot hold a NUL, raw bytes or (with the arguments) more than ~128 KB: such a
      // prompt reaches a promptStdin command on stdin only, rather than failing its start.
      const promptFitsEnv = !(task.promptStdin && promptGoesOnStdin(task.prompt));
      const spec: CommandSpec = {
        file,
        args: task.promptArg === false ? args : [...args, task.prompt],
        env: { ...(promptFitsEnv ? { HERD_PROMPT: task.prompt } : {}), ...task.env },
      };
      // stdin is the one way to hand over bytes that are not UTF-8 unchanged (see raw-bytes.ts).
      if (task.promptStdin) spec.input = encodeRawBytes(task.prompt);
      return spec;
    },
    parseLine(line: string, into: AgentProgress): ParsedSignal[] {
      const tail = into.stdoutTail === undefined ? line : `${into.stdoutTail}\n${line}`;
      if (tail.length > MAX_RESULT_CHARS) into.stdoutTailCut = true;
      into.stdoutTail = tail.length > MAX_RESULT_CHARS ? tail.slice(-MAX_RESULT_CHARS) : tail;
      return [];
    },
    judge(_progress: AgentProgress, exit: ProcessExit): AgentOutcome {
      const killed = judgeProcessFailure(exit);
      if (killed) return killed;
      if (exit.exitCode === 0) return { status: 'succeeded' };
      return { status: 'failed', error: { reason: 'exit', message: describeExit(exit, 'command') } };
    },
  };
}
