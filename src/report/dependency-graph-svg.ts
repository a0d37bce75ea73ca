// The dependency graph of a workflow run as plain SVG: tasks in columns by depth (a task
// sits one column right of its deepest dependency), an arrow per dependsOn edge, each box
// coloured by the agent's latest status. Runs without dependencies have no graph.

import type { AgentStatus, AgentTask } from '../types.js';
import { escapeHtml } from './html-escape.js';

const LAYOUT = { columnWidth: 190, boxWidth: 150, boxHeight: 30, rowHeight: 46, margin: 10 } as const;

export interface GraphLayout {
  /** Column (depth) of every task id. */
  depth: Map<string, number>;
  /** Row within its column. */
  row: Map<string, number>;
}

export function hasDependencies(tasks: readonly AgentTask[]): boolean {
  return tasks.some((task) => (task.dependsOn?.length ?? 0) > 0);
}

/** Depth = 1 + the deepest dependency; unknown ids and cycles are cut, never looped on. */
export function layoutGraph(tasks: readonly AgentTask[]): GraphLayout {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const parents = (byId.get(id)?.dependsOn ?? []).filter((parent) => byId.has(parent));
    const value = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(depthOf));
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  const row = new Map<string, number>();
  const filled = new Map<number, number>();
  for (const task of tasks) {
    const column = depthOf(task.id);
    row.set(task.id, filled.get(column) ?? 0);
    filled.set(column, (filled.get(column) ?? 0) + 1);
  }
  return { depth, row };
}

export function renderDependencyGraphSvg(tasks: readonly AgentTask[], statusOf: (id: string) => AgentStatus | undefined): string {
  const { columnWidth, boxWidth, boxHeight, rowHeight, margin } = LAYOUT;
  const { depth, row } = layoutGraph(tasks);
  const columns = Math.max(0, ...depth.values()) + 1;
  const rows = Math.max(0, ...row.values()) + 1;
  const width = margin * 2 + columns * columnWidth;
  const height = margin * 2 + rows * rowHeight;
  const position = (id: string) => ({ x: margin + (depth.get(id) ?? 0) * columnWidth, y: margin + (row.get(id) ?? 0) * rowHeight });
  const ids = new Set(tasks.map((task) => task.id));
  const edges = tasks.flatMap((task) =>
    (task.dependsOn ?? [])
      .filter((parent) => ids.has(parent))
      .map((parent) => {
        const from = position(parent);
        const to = position(task.id);
        return `<line class="edge" data-from="${escapeHtml(parent)}" data-to="${escapeHtml(task.id)}" x1="${from.x + boxWidth}" y1="${from.y + boxHeight / 2}" x2="${to.x - 2}" y2="${to.y + boxHeight / 2}" marker-end="url(#arrow)"/>`;
      }),
  );
  const nodes = tasks.map((task) => {
    const { x, y } = position(task.id);
    const status = statusOf(task.id) ?? 'pending';
    return `<g class="node" data-agent="${escapeHtml(task.id)}"><rect class="status-${status}" x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="4"><title>${escapeHtml(`${task.id}: ${status}`)}</title></rect><text x="${x + boxWidth / 2}" y="${y + boxHeight / 2 + 4}" text-anchor="middle">${escapeHtml(task.id)}</text></g>`;
  });
  return [
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="dependency graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" class="arrow-head"/></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n');
}
