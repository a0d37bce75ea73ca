// The dependency graph of a workflow run as plain SVG: nodes in columns by depth (a node
// sits one column right of its deepest dependency), an arrow per dependsOn edge, each box
// coloured by status. Runs without dependencies have no graph.

import type { AgentStatus } from '../types.js';
import { escapeHtml } from './html-escape.js';

export interface GraphNode {
  id: string;
  /** Shown in the box (default: the id). */
  label?: string;
  dependsOn?: readonly string[];
  status?: AgentStatus;
  /** Hover text. */
  detail?: string;
}

const LAYOUT = { columnWidth: 190, boxWidth: 150, boxHeight: 30, rowHeight: 46, margin: 10 } as const;

export interface GraphLayout {
  /** Column (depth) of every task id. */
  depth: Map<string, number>;
  /** Row within its column. */
  row: Map<string, number>;
}

export function hasDependencies(nodes: readonly GraphNode[]): boolean {
  return nodes.some((node) => (node.dependsOn?.length ?? 0) > 0);
}

/** Depth = 1 + the deepest dependency; unknown ids and cycles are cut, never looped on. */
export function layoutGraph(tasks: readonly GraphNode[]): GraphLayout {
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

export function renderDependencyGraphSvg(nodes: readonly GraphNode[]): string {
  const { columnWidth, boxWidth, boxHeight, rowHeight, margin } = LAYOUT;
  const { depth, row } = layoutGraph(nodes);
  const columns = Math.max(0, ...depth.values()) + 1;
  const rows = Math.max(0, ...row.values()) + 1;
  const width = margin * 2 + columns * columnWidth;
  const height = margin * 2 + rows * rowHeight;
  const position = (id: string) => ({ x: margin + (depth.get(id) ?? 0) * columnWidth, y: margin + (row.get(id) ?? 0) * rowHeight });
  const ids = new Set(nodes.map((node) => node.id));
  const edges = nodes.flatMap((node) =>
    (node.dependsOn ?? [])
      .filter((parent) => ids.has(parent))
      .map((parent) => {
        const from = position(parent);
        const to = position(node.id);
        return `<line class="edge" data-from="${escapeHtml(parent)}" data-to="${escapeHtml(node.id)}" x1="${from.x + boxWidth}" y1="${from.y + boxHeight / 2}" x2="${to.x - 2}" y2="${to.y + boxHeight / 2}" marker-end="url(#arrow)"/>`;
      }),
  );
  const boxes = nodes.map((node) => {
    const { x, y } = position(node.id);
    const status = node.status ?? 'pending';
    const title = node.detail ?? `${node.id}: ${status}`;
    return `<g class="node" data-node="${escapeHtml(node.id)}"><rect class="status-${status}" x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="4"><title>${escapeHtml(title)}</title></rect><text x="${x + boxWidth / 2}" y="${y + boxHeight / 2 + 4}" text-anchor="middle">${escapeHtml(clip(node.label ?? node.id, MAX_LABEL_CHARS))}</text></g>`;
  });
  return [
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="dependency graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" class="arrow-head"/></marker></defs>',
    ...edges,
    ...boxes,
    '</svg>',
  ].join('\n');
}

/** What fits in a box at the report's font size. */
const MAX_LABEL_CHARS = 20;
const clip = (text: string, width: number) => ([...text].length <= width ? text : `${[...text].slice(0, width - 1).join('')}…`);
