// A repository run's change and check, as the result table, `herd show --agent` and the HTML report show them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderRepoLines, renderResultsTable } from '../../src/report/summary-text.js';
import type { AgentResult, RunSummary } from '../../src/types.js';

const summary = JSON.parse(readFileSync(new URL('./fixtures/run-two-turns/run.json', import.meta.url), 'utf8')) as RunSummary;
const change = (files: number, insertions: number, deletions: number, from = 'a'.repeat(40), to = 'b'.repeat(40)) => ({
  branch: 'herd/r/poet',
  from,
  to,
  files,
  insertions,
  deletions,
  paths: ['src/<app>.js'],
  sinceBase: { files, insertions, deletions },
  recordMs: 12,
});
const withRepo = (agent: AgentResult, extra: Partial<AgentResult>): AgentResult => ({ ...agent, ...extra });

describe('change and check in the reports', () => {
  const [poet, builder, flaky] = summary.turns[0]!.agents;
  const agents = [
    withRepo(poet!, { change: change(2, 10, 3), check: { command: ['npm', 'test'], status: 'passed', exitCode: 0, durationMs: 900, outputTail: 'ok' } }),
    withRepo(builder!, {
      change: change(0, 0, 0, 'c'.repeat(40), 'c'.repeat(40)),
      check: { command: ['npm', 'test'], status: 'failed', exitCode: 1, durationMs: 800, outputTail: 'AssertionError: 6 !== NaN' },
    }),
    flaky!,
  ];

  it('adds change and check columns to the table only when an agent has them', () => {
    const table = renderResultsTable(agents, 30).split('\n');
    expect(table[0]).toMatch(/^agent +status +time +cost +in +out +change +check +answer/);
    expect(table[1]).toMatch(/^poet .* 2 files \+10 -3 +passed /);
    expect(table[2]).toMatch(/^builder .* no change +failed \(exit 1\) /);
    expect(table[3]).toMatch(/^flaky .* - +- /);
    expect(renderResultsTable([flaky!], 30).split('\n')[0]).not.toContain('change');
  });

  it('says what changed and why the check failed for herd show --agent', () => {
    expect(renderRepoLines(agents[1]!)).toBe(
      'change: no change since the base on herd/r/poet (nothing this turn)\ncheck: failed (exit 1) in 800ms (npm test)\n  | AssertionError: 6 !== NaN\n',
    );
  });

  it('shows the change, the files and the check in the HTML report, escaped', () => {
    const run: RunSummary = {
      ...summary,
      agents: [agents[0]!, ...summary.agents.slice(1)],
      turns: [{ ...summary.turns[0]!, agents }, ...summary.turns.slice(1)],
    };
    const html = renderHtmlReport({ summary: run, events: [] });
    expect(html).toContain('data-change-files="2" data-change-insertions="10" data-change-deletions="3"');
    expect(html).toContain('<pre class="paths">src/&lt;app&gt;.js</pre>');
    expect(html).toContain('data-check="failed"');
    expect(html).toContain('<pre class="check-output">AssertionError: 6 !== NaN</pre>');
  });
});
