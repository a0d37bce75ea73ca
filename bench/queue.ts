// herd on a queue (BullMQ + Redis) against the local pool, all on this machine: a redis-server
// on a free loopback port, 1, 2 and 3 `herd worker` processes, and the submitter in this
// process (the library with `queue`, as a script would use it).
//
//   npx tsx bench/queue.ts [--agents 100] [--rounds 2] [--kill-rounds 2]
//
// 1. Added latency per job: the agents one after another (-c 1), `true` each, local vs through
//    one worker: (queue wall - local wall) / agents is what the queue adds to every job
//    (enqueue, a worker taking it, the result streamed back), target <= 20 ms.
// 2. Throughput: the same agents all at once through 1, 2 and 3 workers (4 at a time each) vs
//    the local pool at 4, 8 and 12 at a time. Workers share this machine's cores, so this shows
//    the queue's own cost, not what more machines would add.
// 3. Worker death: a worker running a job is SIGKILLed (default lock 5 s, stalled check 2 s);
//    the time until the job starts again on the other worker.
// 4. Redis's own CPU per job (INFO commandstats): the basis of the paper estimate of what one
//    Redis serves. Nothing is asserted; figures are printed.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Supervisor, type AgentTask } from '../src/index.js';
import { ensureBuilt, fixed, flagValue, herdMain, machineLine, median, printTable, repoRoot } from './lib.js';

const agents = Number(flagValue('--agents') ?? 100);
const rounds = Number(flagValue('--rounds') ?? 2);
const killRounds = Number(flagValue('--kill-rounds') ?? 2);
const holdAgent = path.join(repoRoot, 'test', 'fixtures', 'queue-agent.mjs');

interface RedisProcess {
  url: string;
  child: ChildProcess;
  dir: string;
}

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('queue bench skipped: install redis-server (apt-get install redis-server)');
    return;
  }
  await ensureBuilt();
  console.log(`queue bench: ${agents} agents running \`true\`, ${rounds} round(s); ${machineLine()}`);
  const redis = await startRedis();
  const work = await mkdtemp(path.join(os.tmpdir(), 'herd-bench-queue-'));
  try {
    await latencyAndThroughput(redis, work);
    await workerDeath(redis, work);
  } finally {
    redis.child.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
    await rm(redis.dir, { recursive: true, force: true });
  }
}

const trivialTasks = (): AgentTask[] =>
  Array.from({ length: agents }, (_, index) => ({ id: `a${index + 1}`, prompt: 'x', agent: 'command', command: ['true'] }));

interface TimedBatch {
  wallMs: number;
  /** One after another: per agent, the time between two results minus the agent's own process time (herd's share). */
  overheadsMs: number[];
}

async function timedRun(options: { root: string; concurrency: number; queue?: string }): Promise<TimedBatch> {
  const ends: number[] = [];
  const supervisor = new Supervisor({
    workspaceRoot: options.root,
    concurrency: options.concurrency,
    ...(options.queue ? { queue: options.queue } : {}),
    onEvent: (event) => {
      if (event.type === 'agent.end') ends.push(performance.now());
    },
  });
  try {
    if (options.queue) await supervisor.run([{ id: 'warm-up', prompt: 'x', agent: 'command', command: ['true'] }]);
    ends.length = 0;
    const started = performance.now();
    const summary = await supervisor.run(trivialTasks());
    const wallMs = performance.now() - started;
    if (summary.status !== 'succeeded') throw new Error(`a bench run ended ${summary.status}: ${summary.agents.find((agent) => agent.error)?.error?.message}`);
    const byEnd = [...summary.agents].sort((a, b) => Date.parse(a.endedAt) - Date.parse(b.endedAt));
    const overheadsMs = ends.slice(1).map((at, index) => at - ends[index]! - byEnd[index + 1]!.durationMs);
    return { wallMs, overheadsMs };
  } finally {
    await supervisor.close();
  }
}

async function latencyAndThroughput(redis: RedisProcess, work: string): Promise<void> {
  const sequential = { local: [] as TimedBatch[], queue: [] as TimedBatch[] };
  const parallel = new Map<string, number[]>();
  const commandStats: Array<{ calls: number; usec: number }> = [];
  for (const workerCount of [1, 2, 3]) {
    const db = workerCount;
    const url = `${redis.url}/${db}`;
    const workers = await Promise.all(
      Array.from({ length: workerCount }, (_, index) =>
        startWorker(url, `b${workerCount}-${index + 1}`, path.join(work, `workers-${workerCount}-${index + 1}`), ['-c', '4', '--allow-command']),
      ),
    );
    try {
      for (let round = 0; round < rounds; round++) {
        const root = path.join(work, `runs-${workerCount}-${round}`);
        await mkdir(root, { recursive: true });
        if (workerCount === 1) {
          sequential.local.push(await timedRun({ root, concurrency: 1 }));
          const before = await redisCommandStats(redis.url);
          sequential.queue.push(await timedRun({ root, concurrency: 1, queue: url }));
          const after = await redisCommandStats(redis.url);
          // The warm-up agent counts as one more job.
          commandStats.push({ calls: (after.calls - before.calls) / (agents + 1), usec: (after.usec - before.usec) / (agents + 1) });
        }
        add(parallel, `local ${4 * workerCount}`, (await timedRun({ root, concurrency: 4 * workerCount })).wallMs);
        add(parallel, `queue ${workerCount}`, (await timedRun({ root, concurrency: agents, queue: url })).wallMs);
      }
    } finally {
      await Promise.all(workers.map(stopWorker));
    }
  }
  const local = median(sequential.local.map((batch) => batch.wallMs));
  const queued = median(sequential.queue.map((batch) => batch.wallMs));
  const localOverhead = median(sequential.local.flatMap((batch) => batch.overheadsMs));
  const queuedOverhead = median(sequential.queue.flatMap((batch) => batch.overheadsMs));
  printTable({
    title: `One job at a time (${agents} agents, -c 1): what the queue adds per job`,
    header: ['path', 'wall s', 'per agent ms', "herd's share per agent ms"],
    rows: [
      ['local pool', fixed(local / 1000), fixed(local / agents, 1), fixed(localOverhead, 1)],
      ['queue, 1 worker', fixed(queued / 1000), fixed(queued / agents, 1), fixed(queuedOverhead, 1)],
      ['added by the queue', '', fixed((queued - local) / agents, 1), fixed(queuedOverhead - localOverhead, 1)],
    ],
    notes: [
      "herd's share: from one result to the next, minus the agent process's own time (median over all agents of all rounds); target: <= 20 ms added per job",
      'through the queue the agent is spawned by the worker process, so the submitter and the worker share the work even one job at a time',
    ],
  });
  const baseline = median(parallel.get('queue 1') ?? []);
  printTable({
    title: `All at once (${agents} agents): throughput, local pool vs 1-3 workers of 4 agents each on this machine`,
    header: ['path', 'wall s', 'agents/s', 'vs 1 worker'],
    rows: [...parallel.entries()].map(([name, samples]) => {
      const wall = median(samples);
      return [
        name.startsWith('local') ? `local pool, ${name.slice(6)} at once` : `queue, ${name.slice(6)} worker(s)`,
        fixed(wall / 1000),
        fixed(agents / (wall / 1000), 1),
        name.startsWith('queue') ? `${fixed(baseline / wall)}x` : '',
      ];
    }),
    notes: [
      `${os.availableParallelism()} cores shared by every worker: more workers here add no CPU, so this is the queue's own cost; on separate machines each worker brings its own`,
    ],
  });
  const calls = median(commandStats.map((stat) => stat.calls));
  const usec = median(commandStats.map((stat) => stat.usec));
  const jobsPerSecond = 1_000_000 / usec;
  printTable({
    title: 'Redis per job (INFO commandstats), and a paper estimate of what one Redis serves',
    header: ['figure', 'value'],
    rows: [
      ['Redis commands per job', fixed(calls, 0)],
      ['Redis CPU per job (its own usec)', `${fixed(usec, 0)} us`],
      ['jobs/s one Redis core could serve (1e6 / usec)', fixed(jobsPerSecond, 0)],
      ['at 30 s per agent turn: agents running at once', fixed(jobsPerSecond * 30, 0)],
      ['workers of 16 agents each (16 x 300 MB = 4.8 GB)', fixed((jobsPerSecond * 30) / 16, 0)],
    ],
    notes: [
      'command agents: a claude turn adds ~5-50 streamed signals (one XADD each), so count 2-3x the Redis CPU per claude job',
      'Redis CPU is not the limit in practice: network round trips and the workers are',
    ],
  });
}

async function workerDeath(redis: RedisProcess, work: string): Promise<void> {
  const recoveries: number[] = [];
  for (let round = 0; round < killRounds; round++) {
    const url = `${redis.url}/${10 + round}`;
    const hold = path.join(work, `hold-${round}`);
    await mkdir(hold, { recursive: true });
    // Default lock and stalled interval: what a user gets.
    const victim = await startWorker(url, `dying-${round}`, path.join(work, `dying-${round}`), ['--allow-command']);
    const supervisor = new Supervisor({ workspaceRoot: path.join(work, `death-runs-${round}`), queue: url });
    const run = supervisor.run([{ id: 'held', prompt: `[hold ${hold}]`, agent: 'command', command: ['node', holdAgent] }]);
    await waitUntil(() => readdirSync(hold).some((name) => name.endsWith('.started')));
    const survivor = await startWorker(url, `surviving-${round}`, path.join(work, `surviving-${round}`), ['--allow-command']);
    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    await waitUntil(() => readdirSync(hold).filter((name) => name.endsWith('.started')).length >= 2);
    recoveries.push(performance.now() - killedAt);
    await writeFile(path.join(hold, 'release'), '');
    await run;
    await supervisor.close();
    await stopWorker(survivor);
  }
  printTable({
    title: 'A worker SIGKILLed mid-job: time until its job starts on another worker',
    header: ['round', 'restart after s'],
    rows: recoveries.map((ms, index) => [String(index + 1), fixed(ms / 1000, 1)]),
    notes: ['default --lock-duration 5s, --stalled-interval 2s: expect 5-7 s (the lock lapses, the next stalled check moves the job back)'],
  });
}

function add(map: Map<string, number[]>, key: string, value: number): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

async function redisCommandStats(url: string): Promise<{ calls: number; usec: number }> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  try {
    const info = await redis.info('commandstats');
    let calls = 0;
    let usec = 0;
    for (const match of info.matchAll(/calls=(\d+),usec=(\d+)/g)) {
      calls += Number(match[1]);
      usec += Number(match[2]);
    }
    return { calls, usec };
  } finally {
    redis.disconnect();
  }
}

async function startRedis(): Promise<RedisProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'herd-bench-redis-'));
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await waitForLine(child, /Ready to accept connections/);
  return { url: `redis://127.0.0.1:${port}`, child, dir };
}

interface WorkerProcess {
  child: ChildProcess;
}

async function startWorker(url: string, id: string, root: string, args: string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [herdMain, 'worker', '--queue', url, '--id', id, '--workspace-root', root, '-q', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForLine(child, /ready on/);
  return { child };
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGTERM');
  await exited;
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const stream = child.stdout ?? child.stderr;
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (!pattern.test(seen)) return;
      stream?.off('data', onData);
      resolve();
    };
    stream?.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before ${String(pattern)}:\n${seen}`)));
  });
}

async function waitUntil(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

await main();
