// One agent, one prompt: the smallest useful herd program.
//
//   npx tsx examples/simple.ts --simulate            # stand-in API, no key needed
//   npx tsx examples/simple.ts --simulate-latency 0 "Explain recursion in one line"
//   npx tsx examples/simple.ts "Write a haiku about rivers"   # real claude, real cost
//
// The run is recorded under ./workspaces (or $HERD_HOME), so `npx herd show <runId>` and
// `npx herd continue <runId> "..."` work on it afterwards.

import { Supervisor, formatMs, formatUsd } from '../src/index.js';
import { describeMode, parseExampleArgs } from './args.js';

const args = parseExampleArgs();
const supervisor = new Supervisor({
  simulate: args.simulate,
  ...(args.workspaceRoot === undefined ? {} : { workspaceRoot: args.workspaceRoot }),
});

console.log(describeMode(args));
const summary = await supervisor.run([{ id: 'solo', prompt: args.prompt ?? 'Write a haiku about rivers' }]);
const agent = summary.agents[0];
if (!agent) throw new Error('herd returned no agent result');

if (agent.status === 'succeeded') {
  console.log(`\nanswer:\n${agent.result ?? ''}\n`);
} else {
  console.log(`\nagent ${agent.status}: ${agent.error?.reason ?? '?'}: ${agent.error?.message ?? ''}\n`);
}
console.log(`status     ${agent.status}`);
console.log(`session id ${agent.sessionId ?? '(none)'}`);
console.log(`cost       ${formatUsd(agent.costUsd)}`);
console.log(`time       ${formatMs(agent.durationMs)}`);
console.log(`workspace  ${agent.workspace}`);
console.log(`run        ${summary.runId}  (npx herd show ${summary.runId})`);
process.exitCode = agent.status === 'succeeded' ? 0 : 1;
