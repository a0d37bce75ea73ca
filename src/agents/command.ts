// The generic adapter: any program. The prompt is its last argument (unless `promptArg`
// is false), exit 0 means success, and the tail of stdout is the answer.

import type { AgentTask } from '../types.js';
import type { AgentAdapter, AgentOutcome, AgentProgress, CommandSpec, ParsedSignal, ProcessExit } from './adapter.js';
import { describeExit } from './claude.js';
import { judgeProcessFailure } from './judge.js';

/** Only the end of stdout is kept as the answer: memory stays bounded whatever the program prints. */
const MAX_RESULT_CHARS = 64 * 1024;

export function createCommandAdapter(): AgentAdapter {
  return {
    name: 'command',
    command(task: AgentTask): CommandSpec {
      const [file, ...args] = task.command ?? [];
      if (file === undefined) throw new Error(`task "${task.id}": agent "command" needs a command`);
      return { file, args: task.promptArg === false ? args : [...args, task.prompt], env: { HERD_PROMPT: task.prompt, ...task.env } };
    },
    parseLine(line: string, into: AgentProgress): ParsedSignal[] {
      const tail = into.stdoutTail === undefined ? line : `${into.stdoutTail}\n${line}`;
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
