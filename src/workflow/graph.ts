// Turning a WorkflowSpec into a Workflow that is safe to run: ids valid and unique,
// dependencies known, no self-dependency, no cycle (the cycle is printed), templates that
// can be filled, each/compete expanded into agents, and every task given its stage.
// Every problem is a UsageError (exit 2) raised before anything starts.

import { UsageError } from '../errors.js';
import { validateId } from '../options.js';
import type { AgentTask } from '../types.js';
import type { GroupKind, Workflow, WorkflowAgent, WorkflowGroup, WorkflowSpec, WorkflowTaskSpec } from './spec.js';
import { PLACEHOLDER_FORMS, listPlaceholders, parsePlaceholder } from './template.js';
import { didYouMean } from '../text/did-you-mean.js';

const MAX_EACH_ITEMS = 1000;
const MAX_COMPETITORS = 20;
/** Fields that may hold placeholders. */
const TEMPLATED_FIELDS = ['prompt', 'systemPrompt', 'appendSystemPrompt'] as const;

/** Validate and expand `spec`; `vars` (from --var) win over the spec's defaults. */
export function buildWorkflow(spec: WorkflowSpec, vars: Record<string, string> = {}): Workflow {
  const where = spec.file ?? 'workflow';
  if (spec.tasks.length === 0) throw new UsageError(`${where}: the workflow has no tasks`);
  const specs = indexTasks(spec.tasks, where);
  const edges = collectEdges(specs, where);
  rejectCycles(specs, edges, where);
  const stages = computeStages(specs, edges);
  const groups = spec.tasks.map((task) => describeGroup(task, edges.get(task.id)!, stages.get(task.id)!));
  rejectIdCollisions(groups, where);
  rejectUnknownVars(spec, vars);
  const allVars = { ...spec.vars, ...vars };
  const byId = new Map(groups.map((group) => [group.id, group]));
  for (const task of spec.tasks) checkTemplates(task, byId, allVars, spec.shared !== undefined && spec.shared !== false, where);
  const workflow: Workflow = { vars: allVars, groups, agents: spec.tasks.flatMap((task) => expandTask(task, byId)) };
  if (spec.name !== undefined) workflow.name = spec.name;
  if (spec.file !== undefined) workflow.file = spec.file;
  if (spec.maxCostUsd !== undefined) workflow.maxCostUsd = spec.maxCostUsd;
  if (spec.warnCostUsd !== undefined) workflow.warnCostUsd = spec.warnCostUsd;
  if (spec.shared) workflow.shared = spec.shared === true ? {} : spec.shared;
  if (spec.repo) workflow.repo = spec.repo;
  return workflow;
}

function indexTasks(tasks: readonly WorkflowTaskSpec[], where: string): Map<string, WorkflowTaskSpec> {
  const specs = new Map<string, WorkflowTaskSpec>();
  tasks.forEach((task, index) => {
    const label = `${where}: task ${index + 1}${typeof task.id === 'string' ? ` (id "${task.id}")` : ''}`;
    try {
      validateId('task id', task.id);
    } catch (error) {
      throw new UsageError(`${label}: ${(error as Error).message}`);
    }
    if (specs.has(task.id)) {
      const first = tasks.findIndex((other) => other.id === task.id) + 1;
      throw new UsageError(`${where}: duplicate task id "${task.id}" (tasks ${first} and ${index + 1}); ids must be unique`);
    }
    checkTaskShape(task, label);
    specs.set(task.id, task);
  });
  return specs;
}

function checkTaskShape(task: WorkflowTaskSpec, label: string): void {
  if (task.pick !== undefined && task.judge === undefined)
    throw new UsageError(`${label}: pick goes with judge (pick: check chooses among the judged task's candidates)`);
  if (task.pick !== undefined && task.pick !== 'check') throw new UsageError(`${label}, field "pick": expected "check", got ${JSON.stringify(task.pick)}`);
  if (typeof task.prompt !== 'string' || task.prompt.trim() === '') throw new UsageError(`${label}: a prompt is required`);
  if (task.agent === 'command' && !task.command?.length) throw new UsageError(`${label}: agent "command" needs a command`);
  const patterns = [task.each !== undefined && 'each', task.compete !== undefined && 'compete', task.judge !== undefined && 'judge'].filter(Boolean);
  if (patterns.length > 1) throw new UsageError(`${label}: use only one of each, compete and judge (got ${patterns.join(' and ')})`);
  if (task.judge !== undefined && task.jsonSchema !== undefined)
    throw new UsageError(`${label}: a judge answers in herd's verdict format (winner and reason); remove jsonSchema`);
  if (task.each !== undefined && (task.each.length === 0 || task.each.length > MAX_EACH_ITEMS)) {
    throw new UsageError(`${label}, field "each": expected 1 to ${MAX_EACH_ITEMS} items, got ${task.each.length}`);
  }
  if (task.compete !== undefined) {
    const count = typeof task.compete === 'number' ? task.compete : task.compete.length;
    if (!Number.isInteger(count) || count < 2 || count > MAX_COMPETITORS) {
      throw new UsageError(`${label}, field "compete": expected 2 to ${MAX_COMPETITORS} competitors, got ${JSON.stringify(task.compete)}`);
    }
  }
}

/** Dependencies of each task as written, with the judged task added for a judge. */
function collectEdges(specs: ReadonlyMap<string, WorkflowTaskSpec>, where: string): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const task of specs.values()) {
    const implied = [...(task.judge === undefined ? [] : [task.judge]), ...(task.baseFrom === undefined ? [] : [task.baseFrom])];
    const dependsOn = [...new Set([...(task.dependsOn ?? []), ...implied])];
    for (const dependency of dependsOn) {
      const field = task.dependsOn?.includes(dependency) ? 'dependsOn' : dependency === task.judge ? 'judge' : 'baseFrom';
      if (dependency === task.id)
        throw new UsageError(`${where}: task "${task.id}" ${field === 'judge' ? 'judges' : 'depends on'} itself (cycle: ${task.id} -> ${task.id})`);
      if (!specs.has(dependency)) {
        throw new UsageError(`${where}: task "${task.id}", field "${field}": unknown task "${dependency}"${suggest(dependency, [...specs.keys()])}`);
      }
    }
    if (task.judge !== undefined && specs.get(task.judge)!.judge !== undefined)
      throw new UsageError(`${where}: task "${task.id}" judges "${task.judge}", which is a judge itself`);
    const source = task.baseFrom === undefined ? undefined : specs.get(task.baseFrom)!;
    if (source && source.judge === undefined && (source.each !== undefined || source.compete !== undefined))
      throw new UsageError(
        `${where}: task "${task.id}", field "baseFrom": "${source.id}" runs several agents; start from a judge of it (its winner's commit) instead`,
      );
    edges.set(task.id, dependsOn);
  }
  return edges;
}

/** Depth-first search; the first back edge found closes a cycle, printed in dependency order. */
function rejectCycles(specs: ReadonlyMap<string, WorkflowTaskSpec>, edges: ReadonlyMap<string, string[]>, where: string): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    path.push(id);
    for (const dependency of edges.get(id) ?? []) {
      if (state.get(dependency) === 'visiting') return [...path.slice(path.indexOf(dependency)), dependency];
      if (state.get(dependency) === undefined) {
        const cycle = visit(dependency);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of specs.keys()) {
    if (state.get(id) !== undefined) continue;
    const cycle = visit(id);
    // Found along "depends on" edges (a -> b: a needs b); printed so each arrow reads "needs".
    if (cycle) throw new UsageError(`${where}: dependency cycle: ${cycle.join(' -> ')} (each task needs the next; a cycle can never start)`);
  }
}

/** Stage = 1 + the latest stage among dependencies (longest path from a task without dependencies). */
function computeStages(specs: ReadonlyMap<string, WorkflowTaskSpec>, edges: ReadonlyMap<string, string[]>): Map<string, number> {
  const stages = new Map<string, number>();
  const stageOf = (id: string): number => {
    const known = stages.get(id);
    if (known !== undefined) return known;
    const stage = 1 + Math.max(0, ...(edges.get(id) ?? []).map(stageOf));
    stages.set(id, stage);
    return stage;
  };
  for (const id of specs.keys()) stageOf(id);
  return stages;
}

function describeGroup(task: WorkflowTaskSpec, dependsOn: string[], stage: number): WorkflowGroup {
  const kind: GroupKind = task.each ? 'each' : task.compete !== undefined ? 'compete' : task.judge !== undefined ? 'judge' : 'task';
  const count = task.each ? task.each.length : typeof task.compete === 'number' ? task.compete : (task.compete?.length ?? 1);
  const agents = kind === 'each' || kind === 'compete' ? Array.from({ length: count }, (_, index) => `${task.id}-${index + 1}`) : [task.id];
  const group: WorkflowGroup = { id: task.id, kind, agents, dependsOn, stage, priority: task.priority ?? 0, optional: task.optional === true };
  if (task.judge !== undefined) group.judges = task.judge;
  if (task.pick !== undefined) group.pick = task.pick;
  if (task.baseFrom !== undefined) group.baseFrom = task.baseFrom;
  if (task.each) group.items = [...task.each];
  return group;
}

/** `map` with 3 items becomes map-1..map-3; none of those may be another task's id. */
function rejectIdCollisions(groups: readonly WorkflowGroup[], where: string): void {
  const owner = new Map<string, string>();
  for (const group of groups) owner.set(group.id, group.id);
  for (const group of groups) {
    if (group.agents.length === 1 && group.agents[0] === group.id) continue;
    for (const agent of group.agents) {
      const taken = owner.get(agent);
      if (taken !== undefined)
        throw new UsageError(`${where}: task "${group.id}" expands into agent "${agent}", but "${taken}" already uses that id; rename one of them`);
      validateId('agent id', agent);
      owner.set(agent, group.id);
    }
  }
}

/** A --var that no prompt uses and the file does not declare is a typo: it would be silently ignored. */
function rejectUnknownVars(spec: WorkflowSpec, vars: Record<string, string>): void {
  const known = new Set(Object.keys(spec.vars ?? {}));
  for (const task of spec.tasks)
    for (const field of TEMPLATED_FIELDS)
      for (const { name } of listPlaceholders(task[field] ?? '')) {
        const placeholder = parsePlaceholder(name);
        if (placeholder?.kind === 'var') known.add(placeholder.name);
      }
  const names = [...known];
  for (const name of Object.keys(vars)) {
    if (known.has(name)) continue;
    const listed = names.length ? `; its variables are: ${names.join(', ')}` : '; it uses no variables';
    throw new UsageError(`--var ${name}: ${spec.file ?? 'the workflow'} has no variable "${name}"${didYouMean(name, names) || listed}`);
  }
}

function checkTemplates(
  task: WorkflowTaskSpec,
  groups: ReadonlyMap<string, WorkflowGroup>,
  vars: Record<string, string>,
  shared: boolean,
  where: string,
): void {
  const group = groups.get(task.id)!;
  for (const field of TEMPLATED_FIELDS) {
    const text = task[field];
    if (text === undefined) continue;
    for (const { raw, name } of listPlaceholders(text)) {
      const problem = checkPlaceholder(name, raw, group, groups, vars, shared);
      if (problem) throw new UsageError(`${where}: task "${task.id}", field "${field}": ${problem}`);
    }
  }
}

function checkPlaceholder(
  name: string,
  raw: string,
  group: WorkflowGroup,
  groups: ReadonlyMap<string, WorkflowGroup>,
  vars: Record<string, string>,
  shared: boolean,
): string | undefined {
  const placeholder = parsePlaceholder(name);
  if (!placeholder) return `unknown placeholder ${raw}; use one of ${PLACEHOLDER_FORMS}`;
  switch (placeholder.kind) {
    case 'var':
      return placeholder.name in vars ? undefined : `${raw} has no value: pass --var ${placeholder.name}=<value> or set vars.${placeholder.name} in the file`;
    case 'item':
      return group.kind === 'each' ? undefined : `${raw} only works in a task with "each"`;
    case 'index':
      return group.kind === 'each' || group.kind === 'compete' ? undefined : `${raw} only works in a task with "each" or "compete"`;
    case 'candidates':
      return group.kind === 'judge' ? undefined : `${raw} only works in a judge task`;
    case 'shared':
      return shared ? undefined : `${raw} needs a shared directory: set "shared: true" in the file or pass --shared`;
    case 'dep':
      return checkDepPlaceholder(placeholder.id, placeholder.field, raw, group, groups);
  }
}

function checkDepPlaceholder(id: string, field: string, raw: string, group: WorkflowGroup, groups: ReadonlyMap<string, WorkflowGroup>): string | undefined {
  const target = groups.get(id);
  const parent = target ? undefined : [...groups.values()].find((candidate) => candidate.agents.length > 1 && candidate.agents.includes(id));
  const dependency = target?.id ?? parent?.id;
  if (dependency === undefined) return `${raw} names unknown task "${id}"${suggest(id, [...groups.keys()])}`;
  if (!group.dependsOn.includes(dependency))
    return `${raw} needs the result of "${dependency}", but this task does not depend on it; add "${dependency}" to dependsOn`;
  if (parent)
    return field === 'result' ? undefined : `${raw}: "${id}" is one agent of "${parent.id}"; use {{deps.${id}.result}} or {{deps.${parent.id}.${field}}}`;
  if ((field === 'winner' || field === 'winnerId') && target!.kind !== 'judge') return `${raw}: "${id}" is not a judge task; only a judge has a winner`;
  if (field === 'result' && target!.agents.length > 1) {
    return `${raw}: "${id}" runs ${target!.agents.length} agents; use {{deps.${id}.results}} for all of them or {{deps.${target!.agents[0]}.result}} for one`;
  }
  return undefined;
}

function expandTask(task: WorkflowTaskSpec, groups: ReadonlyMap<string, WorkflowGroup>): WorkflowAgent[] {
  const group = groups.get(task.id)!;
  const { dependsOn: _dependsOn, each: _each, eachFiles, compete, judge: _judge, optional: _optional, pick: _pick, baseFrom: _baseFrom, ...options } = task;
  return group.agents.map((agentId, position) => {
    // A pick runs no agent: nothing to resolve or start (the scheduler decides it).
    const agentTask: AgentTask = task.pick ? { id: agentId, prompt: task.prompt, agent: 'command', command: ['true'] } : { ...options, id: agentId };
    if (Array.isArray(compete)) applyCompetitor(agentTask, compete[position]!);
    const seeded = group.items && eachFiles?.[group.items[position]!];
    if (seeded !== undefined) agentTask.files = { ...agentTask.files, [group.items![position]!]: seeded };
    return describeAgent(agentTask, group, position, groups);
  });
}

const VENDOR_AGENTS = ['claude', 'codex', 'gemini'] as const;
const isVendor = (name: string): name is (typeof VENDOR_AGENTS)[number] => (VENDOR_AGENTS as readonly string[]).includes(name);

/**
 * One entry of a `compete` list: a model (`opus`), an agent type (`codex`: its CLI's own default
 * model) or both (`gemini:gemini-2.5-pro`), so one task can compete across vendors.
 */
function applyCompetitor(task: AgentTask, entry: string): void {
  const [kind, model] = entry.includes(':') ? [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)] : [entry, undefined];
  if (kind === undefined || !isVendor(kind)) {
    task.model = entry;
    return;
  }
  task.agent = kind;
  // A model named for the task as a whole belongs to its own agent type, not to this vendor's CLI.
  if (model) task.model = model;
  else delete task.model;
}

/** One agent of `group` (at `position`) with its edges: to every agent of every task the group depends on. */
export function describeAgent(task: AgentTask, group: WorkflowGroup, position: number, groups: ReadonlyMap<string, WorkflowGroup>): WorkflowAgent {
  const dependsOn = group.dependsOn.flatMap((id) => {
    const dependency = groups.get(id)!;
    // A judge can decide as long as one candidate finished: the others are optional to it.
    const optional = dependency.optional || id === group.judges;
    return dependency.agents.map((agent) => ({ id: agent, optional }));
  });
  const agent: WorkflowAgent = { task, group: group.id, dependsOn, priority: group.priority, stage: group.stage };
  if (group.kind === 'each' || group.kind === 'compete') agent.index = position + 1;
  const item = group.items?.[position];
  if (item !== undefined) agent.item = item;
  return agent;
}

/** ` (did you mean "research"?)` when a known id is within two edits, else the known ids. */
function suggest(wanted: string, known: readonly string[]): string {
  return didYouMean(wanted, known) || `; known tasks: ${known.join(', ')}`;
}
