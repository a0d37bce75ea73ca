// The `herd` command line: commands, flags and help text. Handlers live beside it; this
// file only wires commander (the only importer of it) to them.

/* eslint-disable @typescript-eslint/no-unsafe-argument -- commander hands each action an untyped options object;
   every handler declares the flags it reads, and commander's own parsing (choices, argParser) shapes them. */
import { Command, Option } from 'commander';
import { herdCommand } from './invocation.js';
import { herdVersion } from './version.js';

// Handlers are imported when their command runs: `herd runs` need not load execa, zod or
// the simulate server, and every command starts faster (start-up counts against herd's overhead).
const runCommands = () => import('./run-commands.js');
const inspectCommands = () => import('./inspect-commands.js');
const workflowCommands = () => import('./workflow-commands.js');

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addRunFlags(command: Command): Command {
  return command
    .option('-c, --concurrency <n|auto>', 'agents running at once (default: all, as many as free memory holds at ~300 MB per agent; auto: the same)')
    .option('--workspace-root <dir>', 'where runs and agent workspaces live (default: $HERD_HOME or ./workspaces)')
    .option('--claude-bin <path>', 'claude executable (default: $HERD_CLAUDE_BIN, claude on PATH, or the bundled @anthropic-ai/claude-code)')
    .option('--codex-bin <path>', 'codex executable for --agent codex (default: $HERD_CODEX_BIN, codex on PATH, or @openai/codex in node_modules)')
    .option('--gemini-bin <path>', 'gemini executable for --agent gemini (default: $HERD_GEMINI_BIN, gemini on PATH, or @google/gemini-cli in node_modules)')
    .option('--simulate', "use herd's built-in stand-in model API on loopback instead of the real one (no key, no network)")
    .option('--simulate-latency <duration>', 'model latency of the stand-in API per answer (default 2s)')
    .option('--env <NAME=value>', 'add a variable to every agent (repeatable)', collect)
    .option('--env-allow <names>', 'inherit only these variables (names or PREFIX_*; comma separated; repeatable) plus PATH, HOME and the like', collect)
    .option('--kill-grace <duration>', 'time between SIGTERM and SIGKILL when stopping an agent (default 5s)')
    .option('--retries <n>', 'extra attempts for transient failures: 429, 529, 5xx, connection errors, crashes (default 0)')
    .option('--retry-timeouts', 'count timeouts as transient (retried with --retries)')
    .option(
      '--stagger <duration|auto>',
      'how agents start: auto = at most one starting claude per CPU core, the next when one prints its first line; a duration (1s) spaces starts; 0 = all at once (default: auto when more than 3 agents per core start together, else all at once)',
    )
    .option(
      '--max-cost <usd>',
      'spending cap for the whole run (all its turns): when reached, nothing new starts and running agents stop with status "budget"; herd resume <runId> --max-cost <more> goes on',
    )
    .option('--warn-cost <usd>', 'print one warning line (and emit run.budget) when the run has spent this much')
    .option(
      '--prices <file>',
      'JSON price table {"<model>": {"input": 1.25, "output": 10, "cacheRead": 0.125}} (USD per 1M tokens) over herd\'s own: for the spending estimate and for agents whose CLI reports no cost (default: $HERD_PRICES)',
    )
    .option(
      '--sandbox',
      "run each agent under bubblewrap: system read-only, only its own workspace writable, other agents' and herd's records hidden, private /tmp and PIDs",
    )
    .addOption(
      new Option('--sandbox-network <on|off>', 'with --sandbox: off takes the network from command agents (claude keeps it for the model API)').choices([
        'on',
        'off',
      ]),
    )
    .option('--json', 'print the run summary as one JSON document on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'no progress lines')
    .option('--events <file|->', 'write every event as a JSON line to a file, or - for stderr')
    .option(
      '--queue [url]',
      'run the agents on herd workers of this Redis queue (redis://host:port[/db], rediss:// for TLS; without a value: $HERD_REDIS_URL) instead of here; see herd worker',
    );
}

/** spawn and run: agents on the user's code (continue and resume take it from the run's record). */
function addRepoFlags(command: Command): Command {
  return command
    .option('--repo <dir>', 'each agent works in a git worktree of this repository on its own branch herd/<runId>/<agentId>; every turn is committed there')
    .option('--base <ref>', 'with --repo: the commit agents start from (default HEAD)')
    .option('--include-dirty', "with --repo: carry your uncommitted changes (tracked and untracked) into the agents' starting commit")
    .option('--copy <dir>', 'for a directory that is no git repository: each agent works in a copy of it (without .git and node_modules)')
    .option(
      '--check <command>',
      "run this in each agent's workspace after each turn, e.g. \"npm test\" (no shell: for pipes use sh -c '...'); recorded as check passed/failed",
    )
    .option('--check-timeout <duration>', 'stop the check after this long (default 5m)')
    .option('--setup <command>', 'run this in each agent\'s workspace before its first turn, e.g. "npm ci"; if it fails, the agent fails (reason setup)')
    .option('--setup-timeout <duration>', 'stop the setup after this long (default 10m)');
}

function addWorkflowFileFlags(command: Command): Command {
  return command
    .option('--var <NAME=value>', 'value for {{vars.NAME}} in prompts (repeatable)', collect)
    .option('--each-file <TASK=FILE>', "items of task TASK's fan-out, one per line (repeatable)", collect)
    .option('--shared', 'give the run a shared coordination directory (each agent gets --add-dir and $HERD_SHARED_DIR)');
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const herd = herdCommand();
  const program = new Command('herd')
    .description(
      'Run many command-line coding agents (Claude Code, any command) at once, each in its own workspace, and keep every answer, session, cost and timing.',
    )
    .version(herdVersion())
    // Set before the subcommands are added: they inherit it, so parse errors reach main() (exit 2).
    .exitOverride()
    // commander's own errors (unknown option, missing argument, bad choice) in herd's one-line form.
    // Its did-you-mean comes on a line of its own: one line it is.
    .configureOutput({
      outputError: (text, write) =>
        write(
          `herd: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (add --help for usage)\n`,
        ),
    })
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      // The examples say herd the way it was run (`npx herd` after a local install).
      () => `
Examples:
  ${herd} spawn -n 5 "Write a haiku about rivers" --simulate
  ${herd} spawn --tasks tasks.yaml -c 3 --timeout 5m
  ${herd} continue <runId> "Now make it rhyme"
  ${herd} spawn -n 4 "Draft a plan" --then "Now critique it" --then "Now fix it" --simulate
  ${herd} plan flow.yaml && ${herd} run flow.yaml --var topic=rivers --simulate
  ${herd} show <runId>
  ${herd} worker --queue redis://127.0.0.1:6379 --simulate   (on each machine; then ${herd} spawn ... --queue redis://...)

Exit codes: 0 all agents succeeded, 1 some agent did not, 2 bad usage (nothing started), 130 interrupted.`,
    );

  addRepoFlags(
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
        .option('--json-schema <schema>', "JSON Schema the answer must follow (claude structured output); the JSON is in each agent's structuredOutput")
        .option('--timeout <duration>', 'stop an agent after this long, e.g. 90s, 5m (default: none)')
        .option('--idle-timeout <duration>', 'stop an agent that printed nothing for this long (default: off)')
        .addOption(new Option('--agent <type>', 'which agent CLI runs every task (default claude)').choices(['claude', 'codex', 'gemini', 'command']))
        .option('--command <argv...>', 'run this command instead of claude (the prompt is its last argument); for scripts and tests')
        .option('--prompt-stdin', "with --command: give the prompt on the command's stdin (byte for byte) instead of as its last argument")
        .option(
          '--then <prompt>',
          'after the first turn, send this follow-up to every agent as one more turn, recorded as herd continue would (repeatable; turns on --keep-alive)',
          collect,
        )
        .option(
          '--keep-alive',
          "keep each claude process running between this command's turns, so a later turn costs the model's time and not a process start (default with --then)",
        )
        .option('--no-keep-alive', 'with --then: start a new process for every turn (each resumes its session cold)')
        .option('--keep-alive-idle <duration>', 'close a kept-alive process that has been idle this long (default 5m)'),
    ),
  ).action(async (prompt: string | undefined, flags) => setExitCode(await (await runCommands()).spawnCommand(prompt, flags)));

  addRunFlags(
    program
      .command('continue')
      .description('send a follow-up to every agent of a run (or --agent ones), each resuming its own session in its own workspace')
      .argument('<runId>', 'the run to continue (see herd runs)')
      .argument('<prompt>', 'the follow-up prompt')
      .option('--agent <id>', 'only this agent (repeatable)', collect),
  ).action(async (runId: string, prompt: string, flags) => setExitCode(await (await runCommands()).continueCommand(runId, prompt, flags)));

  addRunFlags(
    program
      .command('resume')
      .description('finish an interrupted or killed run: run again only the agents that did not finish (their sessions continue), in the same run record')
      .argument('<runId>', 'the run to finish')
      .option('--retry-failed', 'also run again the agents that failed or timed out'),
  ).action(async (runId: string, flags) => setExitCode(await (await runCommands()).resumeCommand(runId, flags)));

  addWorkflowFileFlags(
    addRepoFlags(
      addRunFlags(
        program
          .command('run')
          .description(
            'run a workflow task file: tasks start as soon as their dependencies finish (dependsOn, priority, each, compete + judge, {{deps.<id>.result}})',
          )
          .argument('<file>', 'YAML or JSON workflow: {name, vars, shared, defaults, tasks}; see examples/workflows/')
          .option('--dry-run', 'show the plan (as herd plan does) and start nothing')
          .option('--durations-from <runId>', 'with --dry-run: estimate times from this earlier run')
          .option('--run-id <id>', 'id of the new run (default: date-time-random)')
          .option('--timeout <duration>', 'default per-agent timeout for tasks that set none, e.g. 90s, 5m')
          .option('--idle-timeout <duration>', 'default idle timeout for tasks that set none'),
      ),
    ),
  ).action(async (file: string, flags) => setExitCode(await (await workflowCommands()).runWorkflowCommand(file, flags)));

  addWorkflowFileFlags(
    program
      .command('plan')
      .description('show a workflow as ordered stages: what runs in parallel, the critical path, and a time estimate from an earlier run')
      .argument('<file>', 'YAML or JSON workflow task file')
      .option('-c, --concurrency <n|auto>', 'agents running at once (default: all, as many as free memory holds at ~300 MB per agent; auto: the same)')
      .option('--workspace-root <dir>', 'where earlier runs are looked up for durations')
      .option('--durations-from <runId>', 'estimate times from this run (default: the latest run of the same file)')
      .option('--json', 'the plan as JSON'),
  ).action(async (file: string, flags) => setExitCode(await (await workflowCommands()).planCommand(file, flags)));

  program
    .command('worker')
    .description('run agent jobs from a Redis queue on this machine, for herd spawn|run|continue|resume --queue on any machine')
    .option('--queue [url]', 'the Redis queue: redis://[:password@]host:port[/db] or rediss:// (default: $HERD_REDIS_URL, which keeps the password out of ps)')
    .option('--id <id>', "this worker's name; continuation turns of its agents come back to it (default: host name + a hash of the workspace root)")
    .option('-c, --concurrency <n|auto>', 'agents running at once here (default: up to 8 and what free memory holds at ~300 MB per agent)')
    .option('--workspace-root <dir>', "where this worker's agent workspaces live (default: $HERD_HOME or ./workspaces)")
    .option('--claude-bin <path>', 'claude executable (default: $HERD_CLAUDE_BIN, claude on PATH, or the bundled @anthropic-ai/claude-code)')
    .option('--simulate', "answer claude agents from this worker's own stand-in model API (runs submitted with --simulate need it)")
    .option('--simulate-latency <duration>', 'model latency of the stand-in API per answer (default 2s)')
    .option(
      '--allow-command [program]',
      'run command agents too: any command, or only this program (repeatable); off by default, since a queue writer would get command execution here',
      (value: string, previous: string[] | true | undefined) => (previous === true ? true : [...(previous ?? []), value]),
    )
    .option('--lock-duration <duration>', "a job's lock; a worker silent this long counts as dead and its jobs restart elsewhere (default 5s)")
    .option('--stalled-interval <duration>', 'how often to look for jobs of dead workers (default 2s)')
    .option('-q, --quiet', 'print only the ready and stop lines, not one line per job')
    .action(async (flags) => setExitCode(await (await import('./worker-command.js')).workerCommand(flags)));

  program
    .command('runs')
    .description('list runs: id, date, agents, turns, status, cost')
    .option('--workspace-root <dir>', 'where runs live')
    .option('--sort <key>', 'date (newest first, default) or cost')
    .option('--json', 'as JSON')
    .action(async (flags) => setExitCode(await (await inspectCommands()).runsCommand(flags)));

  program
    .command('show')
    .description("show a run: every turn's table and timing account")
    .argument('<runId>')
    .option('--agent <id>', "print this agent's full answers")
    .option('--workspace-root <dir>', 'where runs live')
    .option('--json', 'the run record as JSON')
    .action(async (runId: string, flags) => setExitCode(await (await inspectCommands()).showCommand(runId, flags)));

  program
    .command('clean')
    .description('remove a run (its record and agent workspaces), or all runs')
    .argument('[runId]')
    .option('--all', 'remove every run under the workspace root')
    .option('--keep-branches', "repository runs: keep the agents' branches (herd/<runId>/*) when their worktrees go")
    .option('--workspace-root <dir>', 'where runs live')
    .action(async (runId: string | undefined, flags) => setExitCode(await (await inspectCommands()).cleanCommand(runId, flags)));

  program
    .command('diff')
    .description("show what agents changed on a repository run: a diffstat per agent, or one agent's diff against where it started")
    .argument('<runId>')
    .option('--agent <id>', "this agent's diff (git's colours on a terminal)")
    .option('--stat', 'with --agent: only the diffstat')
    .option('--workspace-root <dir>', 'where runs live')
    .action(async (runId: string, flags) => setExitCode(await (await import('./repo-commands.js')).diffCommand(runId, flags)));

  program
    .command('apply')
    .description(
      "bring an agent's branch into your current branch (git merge; --squash: one commit); refuses a dirty tree or detached HEAD, aborts on conflicts",
    )
    .argument('<runId>')
    .requiredOption('--agent <id>', 'the agent whose work to bring in')
    .option('--squash', 'one new commit on your branch instead of a merge')
    .option('--workspace-root <dir>', 'where runs live')
    .action(async (runId: string, flags) => setExitCode(await (await import('./repo-commands.js')).applyCommand(runId, flags)));

  program
    .command('report')
    .description('write a self-contained HTML report of a run: timeline of every turn, cost and token bars, totals, prompts and answers')
    .argument('<runId>')
    .option('-o, --output <file>', 'where to write it (default: <run home>/report.html)')
    .option('--workspace-root <dir>', 'where runs live')
    .action(async (runId: string, flags) => setExitCode(await (await import('./report-command.js')).reportCommand(runId, flags)));

  program
    .command('ui')
    .description(
      'serve a live web dashboard of every run under the workspace root: agents as they work, actions (continue, cancel, resume, report) and history',
    )
    .option('--port <n>', 'port to listen on (default 7373, or any free one if taken; 0: any free one)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1; anything else is reachable from other machines and prints a warning)')
    .option('--open', 'open the page in the default browser')
    .option('--workspace-root <dir>', 'where runs live')
    .action(async (flags) => setExitCode(await (await import('./ui-command.js')).uiCommand(flags)));

  program
    .command('bench')
    .description(
      "measure what parallelism buys here: the same N agents sequentially and in parallel through herd, and as a plain fan-out (herd's overhead per agent)",
    )
    .option('-n, --count <n>', 'agents per batch (default 5)')
    .option('--simulate-latency <duration>', 'latency of the simulated API per answer (default 2s)')
    // The name before it matched the other commands' --simulate-latency: still read, no longer shown.
    .addOption(new Option('--latency <duration>').hideHelp())
    .option('--rounds <n>', 'rounds of parallel and plain fan-out, alternating order; medians are shown (default 1)')
    .option('--simulate', "use herd's stand-in model API (the default)")
    .option('--no-simulate', 'use the real model API instead of the stand-in (costs money)')
    .option('--prompt <text>', 'the prompt every agent gets')
    .option('--claude-bin <path>', 'claude executable')
    .option(
      '--workspace-root <dir>',
      'where the bench works: a new herd-bench-* directory in it, removed afterwards; nothing else there is touched (default: the temp dir)',
    )
    .option('--keep', 'keep the runs and workspaces')
    .option('--json', 'the figures as one JSON document on stdout')
    .action(async (flags) => setExitCode(await (await import('./bench-command.js')).benchCommand(flags)));

  return program;
}
