// Deciding what runs next when items depend on each other: an item is started the moment
// its last dependency has finished (not in lock-step waves), highest priority first among
// the ready ones, never more than `concurrency` at once. An item whose required dependency
// did not succeed is skipped at once, and so is everything downstream of it; skipping
// takes no slot. Knows nothing about agents: the caller says how to run and how to skip.

import { runFromSource } from './pool.js';
import { createReadyQueue } from './ready-queue.js';

export interface DependencyEdge {
  id: string;
  /** The dependent may run even when this dependency did not succeed. */
  optional?: boolean;
}

export interface DependencyNode {
  id: string;
  dependsOn: readonly DependencyEdge[];
  /** Higher starts earlier among the ready ones (default 0); ties keep the given order. */
  priority?: number;
}

/** Why a node was skipped: the dependency that blocked it, and the failure at the root of the chain. */
export interface SkipCause {
  dependency: string;
  /** The node that actually failed (the same as `dependency` unless that one was skipped too). */
  failed: string;
}

export interface DependencyScheduleOptions<N extends DependencyNode> {
  concurrency: number;
  /** Run one node; resolves true when it succeeded (its dependents may run). Must not throw for a failed node. */
  run: (node: N) => Promise<boolean>;
  /** Record a node that will not run. Called outside the pool, so it holds no slot. */
  skip: (node: N, cause: SkipCause) => Promise<void>;
  /** Awaited before each start (e.g. a batch-wide rate-limit gate). */
  beforeStart?: () => Promise<void>;
}

interface NodeState<N> {
  node: N;
  order: number;
  /** Dependencies that have not finished yet. */
  waitingFor: Set<string>;
  dependents: Array<{ id: string; optional: boolean }>;
  done: boolean;
}

/**
 * Run every node of an acyclic graph (the caller validates it: unknown ids and cycles
 * would leave nodes waiting forever, so they are rejected here too). Resolves once every
 * node has run or been skipped.
 */
export async function runByDependencies<N extends DependencyNode>(nodes: readonly N[], options: DependencyScheduleOptions<N>): Promise<void> {
  const states = indexNodes(nodes);
  const queue = createReadyQueue<NodeState<N>>();
  const skips: Array<Promise<void>> = [];
  let unfinished = nodes.length;

  const finish = (state: NodeState<N>, succeeded: boolean, rootFailure?: string): void => {
    state.done = true;
    unfinished -= 1;
    for (const edge of state.dependents) {
      const dependent = states.get(edge.id)!;
      if (dependent.done) continue;
      dependent.waitingFor.delete(state.node.id);
      if (!succeeded && !edge.optional) {
        const cause: SkipCause = { dependency: state.node.id, failed: rootFailure ?? state.node.id };
        const skipped = options.skip(dependent.node, cause);
        // Awaited after the pool; until then a failure must not surface as an unhandled rejection.
        skipped.catch(() => undefined);
        skips.push(skipped);
        finish(dependent, false, cause.failed);
      } else if (dependent.waitingFor.size === 0) {
        queue.push(dependent, dependent.node.priority ?? 0, dependent.order);
      }
    }
    if (unfinished === 0) queue.close();
  };

  for (const state of states.values()) if (state.waitingFor.size === 0) queue.push(state, state.node.priority ?? 0, state.order);
  if (nodes.length === 0) queue.close();

  await runFromSource(
    queue,
    async (state) => {
      const succeeded = await options.run(state.node);
      finish(state, succeeded);
    },
    { concurrency: options.concurrency, ...(options.beforeStart ? { beforeStart: options.beforeStart } : {}) },
  );
  await Promise.all(skips);
}

function indexNodes<N extends DependencyNode>(nodes: readonly N[]): Map<string, NodeState<N>> {
  const states = new Map<string, NodeState<N>>();
  nodes.forEach((node, order) => {
    if (states.has(node.id)) throw new Error(`dependency scheduler: id "${node.id}" appears twice`);
    states.set(node.id, { node, order, waitingFor: new Set(node.dependsOn.map((edge) => edge.id)), dependents: [], done: false });
  });
  for (const state of states.values()) {
    for (const [id, optional] of mergeEdges(state.node.dependsOn)) {
      const dependency = states.get(id);
      if (!dependency || id === state.node.id)
        throw new Error(`dependency scheduler: "${state.node.id}" depends on ${dependency ? 'itself' : `unknown "${id}"`}`);
      dependency.dependents.push({ id: state.node.id, optional });
    }
  }
  if (hasCycle(states)) throw new Error('dependency scheduler: the graph has a cycle');
  return states;
}

/** One edge per dependency; listed twice, it is optional only if every listing says so. */
function mergeEdges(edges: readonly DependencyEdge[]): Map<string, boolean> {
  const merged = new Map<string, boolean>();
  for (const edge of edges) merged.set(edge.id, (merged.get(edge.id) ?? true) && edge.optional === true);
  return merged;
}

/** Kahn's algorithm: a graph is acyclic exactly when every node can be peeled off. */
function hasCycle<N>(states: ReadonlyMap<string, NodeState<N>>): boolean {
  const remaining = new Map([...states].map(([id, state]) => [id, state.waitingFor.size]));
  const free = [...remaining].filter(([, count]) => count === 0).map(([id]) => id);
  let peeled = 0;
  while (free.length > 0) {
    const id = free.pop()!;
    peeled += 1;
    for (const dependent of states.get(id)!.dependents) {
      const count = remaining.get(dependent.id)! - 1;
      remaining.set(dependent.id, count);
      if (count === 0) free.push(dependent.id);
    }
  }
  return peeled !== states.size;
}
