// Five specialists at once, each with its own role (system prompt) in its own workspace,
// then a second round: every agent resumes its own session with a follow-up.
//
//   npx tsx examples/specialized.ts --simulate                 # stand-in API, 2 s latency
//   npx tsx examples/specialized.ts --simulate-latency 500ms
//   npx tsx examples/specialized.ts                            # real claude, real cost

import { Supervisor, renderResultsTable, renderTimingAccount, type AgentTask, type RunSummary } from '../src/index.js';
import { describeMode, parseExampleArgs } from './args.js';

const specialists: AgentTask[] = [
  {
    id: 'poet',
    systemPrompt: 'You are a poet. Answer in verse, briefly.',
    prompt: 'Write a four-line poem about the first day of spring.',
  },
  {
    id: 'mathematician',
    systemPrompt: 'You are a mathematician. Be precise and show the key step.',
    prompt: 'Why is the square root of 2 irrational? Keep it under 80 words.',
  },
  {
    id: 'historian',
    systemPrompt: 'You are a historian. Give dates and name your sources of doubt.',
    prompt: 'What was the significance of the printing press in 15th-century Europe?',
  },
  {
    id: 'chef',
    systemPrompt: 'You are a chef. Give practical, concrete kitchen advice.',
    prompt: 'Give a simple weeknight recipe using chickpeas, in five steps.',
  },
  {
    id: 'translator',
    systemPrompt: 'You are a translator between English, French and Spanish. Give only translations.',
    prompt: 'Translate "The river remembers every stone it has passed" into French and Spanish.',
  },
];

const args = parseExampleArgs();
const supervisor = new Supervisor({
  simulate: args.simulate,
  ...(args.workspaceRoot === undefined ? {} : { workspaceRoot: args.workspaceRoot }),
});

console.log(describeMode(args));
const first = await supervisor.run(specialists);
printTurn('round 1: each specialist answers its own question', first);

// Each agent resumes its own session in its own workspace, so it sees its first answer.
const second = await supervisor.continue(first.runId, 'Now summarise your previous answer in one sentence for a ten-year-old.');
printTurn('round 2: continuation, each agent in its own session', second);

console.log(`\nrun ${first.runId} is kept under ${supervisor.workspaceRoot}; try: npx herd show ${first.runId}`);
process.exitCode = second.status === 'succeeded' && first.turns[0]?.agents.every((agent) => agent.status === 'succeeded') ? 0 : 1;

function printTurn(title: string, summary: RunSummary): void {
  const turn = summary.turns.at(-1);
  if (!turn) return;
  console.log(`\n== ${title} ==`);
  console.log(renderResultsTable(turn.agents, 70));
  console.log('');
  console.log(renderTimingAccount(turn.totals));
}
