// What a worker refuses to run, decided before anything is created: a queue writer must not
// get command execution, a path outside the worker's root, or an answer from the wrong API.
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../src/queue/job-runner.js';
import type { AgentJob } from '../../src/queue/protocol.js';
import type { SimulateServer } from '../../src/simulate/server.js';

const job = (fields: Partial<AgentJob> = {}, task: Partial<AgentJob['task']> = {}): AgentJob => ({
  version: 1,
  key: 'r1/a/1/1',
  runId: 'r1',
  agentId: 'a',
  turn: 1,
  attempt: 1,
  simulated: false,
  ...fields,
  task: { id: 'a', prompt: 'hi', ...task },
});
const server = {} as SimulateServer;
const worker = { workerId: 'w1', allowCommand: false, simulateServer: undefined } as const;

describe('jobs a worker refuses', () => {
  it('command agents unless allowed, and only the allowed programs', () => {
    const command = job({}, { agent: 'command', command: ['/usr/bin/rm', '-rf', '/'] });
    expect(refusalOf(command, worker)).toMatch(/does not run command agents \(start it with --allow-command/);
    expect(refusalOf(command, { ...worker, allowCommand: ['/usr/bin/echo'] })).toMatch(/does not run the command "rm" \(it allows: \/usr\/bin\/echo\)/);
    expect(refusalOf(command, { ...worker, allowCommand: ['/usr/bin/rm'] })).toBeUndefined();
    expect(refusalOf(command, { ...worker, allowCommand: true })).toBeUndefined();
  });

  it('ids that would leave the workspace root', () => {
    expect(refusalOf(job({ agentId: '../../etc' }), worker)).toMatch(/refuses this job: agent id "..\/..\/etc" is not allowed/);
    expect(refusalOf(job({ runId: '/tmp/x' }), worker)).toMatch(/refuses this job: run id/);
  });

  it('a simulated run on a worker with the real API, and the other way round', () => {
    expect(refusalOf(job({ simulated: true }), worker)).toMatch(/uses the real model API, and this run asked for --simulate/);
    expect(refusalOf(job(), { ...worker, simulateServer: server })).toMatch(/runs with --simulate, and this run asked for the real model API/);
    expect(refusalOf(job({ simulated: true }), { ...worker, simulateServer: server })).toBeUndefined();
  });

  it('task variables that would send its credentials elsewhere or load code, unless it runs commands anyway', () => {
    const redirect = job({}, { env: { ANTHROPIC_BASE_URL: 'https://elsewhere.example', LD_PRELOAD: './x.so', TOPIC: 'owls' } });
    expect(refusalOf(redirect, worker)).toMatch(/does not let a task set ANTHROPIC_BASE_URL, LD_PRELOAD \(they could redirect its credentials or load code/);
    expect(refusalOf(redirect, { ...worker, allowCommand: true })).toBeUndefined();
    expect(refusalOf(job({}, { env: { TOPIC: 'owls', MY_API_TOKEN: 'x' } }), worker)).toBeUndefined();
  });

  it('a job format it does not know', () => {
    expect(refusalOf({ ...job(), version: 2 as unknown as 1 }, worker)).toMatch(/does not understand this job \(format 2\)/);
  });
});
