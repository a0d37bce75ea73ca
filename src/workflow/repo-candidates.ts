// Compete + judge on a repository: what a judge sees of each candidate's work besides its
// answer (its check result and its diff, bounded), and `pick: check`, which decides without a
// judge agent: among the candidates whose check passed, the smallest change wins.

import { diffText } from '../repo/diff.js';
import type { AgentResult, RepoRecord } from '../types.js';
import type { Verdict } from './judge.js';

/** Characters of one candidate's diff shown to a judge; the rest is cut (the judge is told). */
export const MAX_DIFF_CHARS = 12_000;

/** "check: passed (npm test)" and the candidate's diff against where it started, for the judge's prompt. */
export async function describeCandidateWork(repo: RepoRecord, result: AgentResult): Promise<string> {
  const lines: string[] = [];
  if (result.check)
    lines.push(
      `check: ${result.check.status} (${result.check.command.join(' ')}${result.check.exitCode === undefined ? '' : `, exit ${result.check.exitCode}`})`,
    );
  const change = result.change;
  if (!change || change.error !== undefined) {
    lines.push('change: not recorded');
    return lines.join('\n');
  }
  const { files, insertions, deletions } = change.sinceBase;
  if (files === 0) {
    lines.push('change: none');
    return lines.join('\n');
  }
  lines.push(`change: ${files} file(s), +${insertions} -${deletions}`);
  const start = change.from;
  const diff = await diffText(repo.kind === 'copy' ? result.workspace : repo.root, start, change.to, { stat: false, color: false }).catch(
    (error: unknown) => `(the diff could not be read: ${error instanceof Error ? error.message : String(error)})`,
  );
  const shown = diff.length > MAX_DIFF_CHARS ? `${diff.slice(0, MAX_DIFF_CHARS)}\n... (${diff.length - MAX_DIFF_CHARS} more characters cut)` : diff;
  lines.push('```diff', shown.trimEnd(), '```');
  return lines.join('\n');
}

/** pick: check: the passing candidate with the fewest changed lines (then files, then the order they were listed). */
export function pickByCheck(candidates: readonly string[], results: ReadonlyMap<string, AgentResult>): Verdict | { error: string } {
  const passing = candidates
    .map((id, order) => ({ id, order, result: results.get(id) }))
    .filter((candidate) => candidate.result?.status === 'succeeded' && candidate.result.check?.status === 'passed');
  if (passing.length === 0) {
    const checked = candidates.filter((id) => results.get(id)?.check !== undefined).length;
    return {
      error:
        checked === 0
          ? `no candidate ran a check (give the candidates a check command: --check or the task's check)`
          : `no candidate passed its check (${candidates.map((id) => `${id}: ${results.get(id)?.check?.status ?? results.get(id)?.status ?? 'did not run'}`).join(', ')})`,
    };
  }
  const size = (result: AgentResult | undefined) => (result?.change?.sinceBase.insertions ?? 0) + (result?.change?.sinceBase.deletions ?? 0);
  const files = (result: AgentResult | undefined) => result?.change?.sinceBase.files ?? 0;
  passing.sort((a, b) => size(a.result) - size(b.result) || files(a.result) - files(b.result) || a.order - b.order);
  const winner = passing[0]!;
  const change = winner.result?.change?.sinceBase;
  const reason = `its check passed with the smallest change (${change ? `${change.files} file(s), +${change.insertions} -${change.deletions}` : 'none recorded'}) of ${passing.length} passing candidate(s): ${passing.map((candidate) => candidate.id).join(', ')}`;
  return { winner: winner.id, reason, source: 'check' };
}
