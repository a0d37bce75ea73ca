// The `herd` command line: commands, flags and help text. Handlers live beside it; this
// file only wires commander (the only importer of it) to them.

import { Command, Option } from 'commander';
import { cleanCommand, runsCommand, showCommand } from './inspect-commands.js';
import { continueCommand, resumeCommand, spawnCommand } from './run-commands.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addRunFlags(command: Command): Command {
  return command
    .option('-c, --concurrency <n>', 'agents running at once (default: all, up to 8)')
    .option('--workspace-root <dir>', 'where runs and agent workspaces live (default: $HERD_HOME or ./workspaces)')
    .option('--claude-bin <path>', 'claude executable (default: $HERD_CLAUDE_BIN, claude on PATH, or the bundled @anthropic-ai/claude-code)')
    .option('--simulate', "use herd's built-in stand-in model API on loopback instead of the real one (no key, no network)")
    .option('--simulate-latency <duration>', 'model latency of the stand-in API per answer (default 2s)')
    .option('--env <NAME=value>', 'add a variable to every agent (repeatable)', collect)
    .option('--env-allow <names>', 'inherit only these variables (names or PREFIX_*; comma separated; repeatable) plus PATH, HOME and the like', collect)
    .option('--kill-grace <duration>', 'time between SIGTERM and SIGKILL when stopping an agent (default 5s)')
    .option('--retries <n>', 'extra attempts for transient failures: 429, 529, 5xx, connection errors, crashes (default 0)')
    .option('--retry-timeouts', 'count timeouts as transient (retried with --retries)')
    .option('--json', 'print the run summary as one JSON document on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'no progress lines')
    .option('--events <file|->', 'write every event as a JSON line to a file, or - for stderr');
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('herd')
    .description('Run many command-line coding agents (Claude Code, any command) at once, each in its own workspace, and keep every answer, session, cost and timing.')
    .version(process.env.npm_package_version ?? '0.1.0')
    // Set before the subcommands are added: they inherit it, so parse errors reach main() (exit 2).
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Examples:
  herd spawn -n 5 "Write a haiku about rivers" --simulate
  herd spawn --tasks tasks.yaml -c 3 --timeout 5m
  herd continue <runId> "Now make it rhyme"
  herd show <runId>

Exit codes: 0 all agents succeeded, 1 some agent did not, 2 bad usage (nothing started), 130 interrupted.`,
    );

  addRunFlags(
    program
      .command('spawn')
      .description('start agents: the same prompt N times (-n), or one task per agent from --tasks')
      .argument('[prompt]', 'the prompt (quote it); or use --prompt-file / --tasks')
      .option('-n, --count <n>', 'how many agents get the prompt (default 1)')
      .option('--prompt-file <file>', 'read the prompt from a file (- for stdin)')
      .option('--tasks <file>', 'YAML or JSON task file: a list of tasks, or {defaults, tasks}; each task has id, prompt, model, systemPrompt, ...')
      .option('--model <model>', 'model for every agent (e.g. sonnet, opus)')
      .option('--system-prompt <text>', 'replace the system prompt')
      .option('--append-system-prompt <text>', 'append to the default system prompt')
      .addOption(new Option('--permission-mode <mode>', 'claude permission mode').choices(['default', 'acceptEdits', 'bypassPermissions', 'plan', 'dontAsk']))
      .option('--max-turns <n>', 'maximum agentic turns per agent')
      .option('--max-budget-usd <usd>', 'spending cap per agent')
      .option('--allowed-tools <tools>', 'tools allowed without asking, e.g. "Read,Write" (repeatable)', collect)
      .option('--disallowed-tools <tools>', 'tools the agent may not use (repeatable)', collect)
      .option('--add-dir <dir>', 'extra directory the agent may use (repeatable)', collect)
      .option('--timeout <duration>', 'stop an agent after this long, e.g. 90s, 5m (default: none)')
      .option('--idle-timeout <duration>', 'stop an agent that printed nothing for this long (default: off)')
      .option('--command <argv...>', 'run this command instead of claude (the prompt is its last argument); for scripts and tests'),
  ).action(async (prompt: string | undefined, flags) => setExitCode(await spawnCommand(prompt, flags)));

  addRunFlags(
    program
      .command('continue')
      .description("send a follow-up to every agent of a run (or --agent ones), each resuming its own session in its own workspace")
      .argument('<runId>', 'the run to continue (see herd runs)')
      .argument('<prompt>', 'the follow-up prompt')
      .option('--agent <id>', 'only this agent (repeatable)', collect),
  ).action(async (runId: string, prompt: string, flags) => setExitCode(await continueCommand(runId, prompt, flags)));

  addRunFlags(
    program
      .command('resume')
      .description('finish an interrupted or killed run: run again only the agents that did not finish (their sessions continue), in the same run record')
      .argument('<runId>', 'the run to finish')
      .option('--retry-failed', 'also run again the agents that failed or timed out'),
  ).action(async (runId: string, flags) => setExitCode(await resumeCommand(runId, flags)));

  program
    .command('runs')
    .description('list runs: id, date, agents, turns, status, cost')
    .option('--workspace-root <dir>', 'where runs live')
    .option('--sort <key>', 'date (newest first, default) or cost')
    .option('--json', 'as JSON')
    .action(async (flags) => setExitCode(await runsCommand(flags)));

  program
    .command('show')
    .description("show a run: every turn's table and timing account")
    .argument('<runId>')
    .option('--agent <id>', "print this agent's full answers")
    .option('--workspace-root <dir>', 'where runs live')
    .option('--json', 'the run record as JSON')
    .action(async (runId: string, flags) => setExitCode(await showCommand(runId, flags)));

  program
    .command('clean')
    .description('remove a run (its record and agent workspaces), or all runs')
    .argument('[runId]')
    .option('--all', 'remove every run under the workspace root')
    .option('--workspace-root <dir>', 'where runs live')
    .action(async (runId: string | undefined, flags) => setExitCode(await cleanCommand(runId, flags)));

  return program;
}
