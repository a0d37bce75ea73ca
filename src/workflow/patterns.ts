// Library helpers for the common shapes, so a script need not spell out the fields:
// fan-out (one task per item), map-reduce (fan-out, then one task over all results) and
// compete + judge. Each returns plain WorkflowTaskSpecs to put in a WorkflowSpec.

import type { WorkflowTaskSpec } from './spec.js';

type TaskBase = Omit<WorkflowTaskSpec, 'each' | 'compete' | 'judge'>;

/** One agent per item; the prompt may use `{{item}}` and `{{index}}`. */
export function fanOut(task: TaskBase, items: readonly string[]): WorkflowTaskSpec {
  return { ...task, each: [...items] };
}

/**
 * `map` over `items`, then `reduce` over all their results. Unless the reduce prompt places
 * `{{deps.<map>.results}}` itself, the results are appended to it.
 */
export function mapReduce(map: TaskBase, items: readonly string[], reduce: TaskBase): WorkflowTaskSpec[] {
  const placeholder = `{{deps.${map.id}.results}}`;
  const prompt = reduce.prompt.includes(placeholder) ? reduce.prompt : `${reduce.prompt}\n\n${placeholder}`;
  return [fanOut(map, items), { ...reduce, prompt, dependsOn: [...new Set([...(reduce.dependsOn ?? []), map.id])] }];
}

/**
 * `competitors` agents on the same task (a count, or one model each), then `judge`, which
 * sees every candidate and must answer `WINNER: <id>`; the run records its verdict.
 */
export function competeAndJudge(task: TaskBase, competitors: number | readonly string[], judge: TaskBase): WorkflowTaskSpec[] {
  return [
    { ...task, compete: typeof competitors === 'number' ? competitors : [...competitors] },
    { ...judge, judge: task.id },
  ];
}
