// Filling an agent's placeholders the moment it is about to start, from what has finished:
// dependency results (one, or a list for expanded tasks), a judge's winner, variables,
// the item of a fan-out, the shared directory, and a judge's candidates. A value that is
// not there (an optional dependency failed) is a TemplateValueError naming it.

import type { AgentResult, AgentTask } from '../types.js';
import { renderCandidates, renderVerdictFormat, verdictSchema, type Candidate, type Verdict } from './judge.js';
import type { Workflow, WorkflowAgent, WorkflowGroup } from './spec.js';
import { TemplateValueError, fillTemplate, type Placeholder } from './template.js';

export interface FillContext {
  workflow: Workflow;
  groups: ReadonlyMap<string, WorkflowGroup>;
  /** Results of agents that have finished, by agent id. */
  results: ReadonlyMap<string, AgentResult>;
  /** Verdicts of judges that decided, by judge task id. */
  verdicts: ReadonlyMap<string, Verdict>;
  sharedDir?: string;
  /** On a repository: each finished candidate's check and diff, by agent id (shown to judges). */
  work?: ReadonlyMap<string, string>;
}

/**
 * `task` (the agent's task with run defaults applied) with every placeholder filled; a judge
 * also gets its candidates and the answer format.
 */
export function fillAgentTask(agent: WorkflowAgent, task: AgentTask, context: FillContext): AgentTask {
  const group = context.groups.get(agent.group)!;
  const candidates = group.judges === undefined ? undefined : collectCandidates(context.groups.get(group.judges)!, context);
  const valueOf = (placeholder: Placeholder, raw: string) => valueFor(placeholder, raw, agent, context, candidates);
  const filled: AgentTask = { ...task, prompt: fillTemplate(task.prompt, valueOf) };
  if (task.systemPrompt !== undefined) filled.systemPrompt = fillTemplate(task.systemPrompt, valueOf);
  if (task.appendSystemPrompt !== undefined) filled.appendSystemPrompt = fillTemplate(task.appendSystemPrompt, valueOf);
  if (candidates) {
    const ids = candidates.chosen.map((candidate) => candidate.id);
    const shown = /\{\{\s*candidates\s*\}\}/.test(task.prompt) ? '' : `\n\n${candidates.text}`;
    filled.prompt = `${filled.prompt}${shown}\n\n${renderVerdictFormat(ids)}`;
    // claude can return the verdict as schema-checked JSON; the WINNER line stays the fallback.
    if ((task.agent ?? 'claude') === 'claude') filled.jsonSchema = verdictSchema(ids);
  }
  return filled;
}

/** The ids a judge may name: the judged task's agents that succeeded. */
export function candidateIds(judged: WorkflowGroup, results: ReadonlyMap<string, AgentResult>): string[] {
  return judged.agents.filter((id) => results.get(id)?.status === 'succeeded');
}

interface Candidates {
  chosen: Candidate[];
  text: string;
}

function collectCandidates(judged: WorkflowGroup, context: FillContext): Candidates {
  const chosen: Candidate[] = candidateIds(judged, context.results).map((id) => {
    const result = context.results.get(id)!;
    const model = context.workflow.agents.find((agent) => agent.task.id === id)?.task.model;
    const work = context.work?.get(id);
    return { id, result: result.result ?? '', ...(model === undefined ? {} : { model }), ...(work === undefined ? {} : { work }) };
  });
  if (chosen.length === 0) throw new TemplateValueError(`no candidate of "${judged.id}" succeeded, so there is nothing to judge`);
  const failed = judged.agents
    .map((id) => context.results.get(id))
    .filter((result): result is AgentResult => result !== undefined && result.status !== 'succeeded');
  return { chosen, text: renderCandidates(judged.id, chosen, failed) };
}

function valueFor(placeholder: Placeholder, raw: string, agent: WorkflowAgent, context: FillContext, candidates: Candidates | undefined): string {
  switch (placeholder.kind) {
    case 'var': {
      const value = context.workflow.vars[placeholder.name];
      if (value === undefined) throw new TemplateValueError(`${raw} has no value: pass --var ${placeholder.name}=<value>`);
      return value;
    }
    case 'item':
      if (agent.item === undefined) throw new TemplateValueError(`${raw} only works in a task with "each"`);
      return agent.item;
    case 'index':
      if (agent.index === undefined) throw new TemplateValueError(`${raw} only works in a task with "each" or "compete"`);
      return String(agent.index);
    case 'shared':
      if (context.sharedDir === undefined) throw new TemplateValueError(`${raw} needs a shared directory`);
      return context.sharedDir;
    case 'candidates':
      if (!candidates) throw new TemplateValueError(`${raw} only works in a judge task`);
      return candidates.text;
    case 'dep':
      return depValue(placeholder.id, placeholder.field, raw, context);
  }
}

function depValue(id: string, field: string, raw: string, context: FillContext): string {
  const group = context.groups.get(id);
  if (field === 'winner' || field === 'winnerId') {
    const verdict = context.verdicts.get(id);
    if (!verdict) throw new TemplateValueError(`${raw} has no value: judge "${id}" ${describeOutcome(context.results.get(id))} without naming a winner`);
    return field === 'winnerId' ? verdict.winner : (context.results.get(verdict.winner)?.result ?? '');
  }
  if (field === 'results') return formatResults(group!, context);
  // One agent: a task's own id, or one member of an expanded task.
  const result = context.results.get(group ? group.agents[0]! : id);
  if (result?.status !== 'succeeded') throw new TemplateValueError(`${raw} has no value: "${group ? group.agents[0]! : id}" ${describeOutcome(result)}`);
  return result.result ?? '';
}

/** Every succeeded agent of `group`, each under a heading with its id (and item). */
function formatResults(group: WorkflowGroup, context: FillContext): string {
  const blocks = group.agents.flatMap((id) => {
    const result = context.results.get(id);
    if (result?.status !== 'succeeded') return [];
    const item = context.workflow.agents.find((agent) => agent.task.id === id)?.item;
    return [`### ${id}${item === undefined ? '' : ` (item: ${item})`}\n${(result.result ?? '').trim()}`];
  });
  if (blocks.length === 0) throw new TemplateValueError(`{{deps.${group.id}.results}} has no value: no agent of "${group.id}" succeeded`);
  return blocks.join('\n\n');
}

function describeOutcome(result: AgentResult | undefined): string {
  if (!result) return 'has not finished';
  const why = result.error?.message ? `: ${result.error.message}` : '';
  return `${result.status}${why}`;
}
