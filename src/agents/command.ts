// The generic adapter: any program. The prompt is its last argument (unless `promptArg`
// is false), in $HERD_PROMPT, and on stdin with `promptStdin`; exit 0 means success, and the
// tail of stdout is the answer.

import type { ProcessExit } from '../process/exit.js';
import type { AgentTask } from '../types.js';
import type { AgentAdapter, AgentOutcome, AgentProgress, CommandSpec } from './adapter.js';
import { describeExit, judgeProcessFailure } from './process-outcome.js';
import { promptGoesOnStdin } from './prompt-delivery.js';
import { encodeRawBytes } from '../text/raw-bytes.js';

/**
 * Only the end of stdout is kept as the answer, in a ring of bytes below the adapter (see
 * runProcess's stdoutTailBytes): memory stays bounded whatever the program prints, and no
 * line of it is split or decoded, since none of them needs parsing.
 */
const MAX_RESULT_BYTES = 64 * 1024;

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
    stdoutTailBytes: MAX_RESULT_BYTES,
    judge(_progress: AgentProgress, exit: ProcessExit): AgentOutcome {
      const killed = judgeProcessFailure(exit);
      if (killed) return killed;
      if (exit.exitCode === 0) return { status: 'succeeded' };
      return { status: 'failed', error: { reason: 'exit', message: describeExit(exit, 'command') } };
    },
  };
}
