// `herd report <runId>`: write the run's self-contained HTML report and print its path.

import path from 'node:path';
import { writeRunReport } from '../report/write-report.js';
import { resolveRunId } from '../store/run-ref.js';
import { defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import { writeOut } from './output.js';

export interface ReportFlags {
  output?: string;
  workspaceRoot?: string;
}

export async function reportCommand(runRef: string, flags: ReportFlags): Promise<number> {
  const root = path.resolve(flags.workspaceRoot ?? defaultWorkspaceRoot());
  const file = await writeRunReport({ root, runId: await resolveRunId(root, runRef), ...(flags.output === undefined ? {} : { outFile: flags.output }) });
  // The path alone on stdout, so `open "$(herd report <id>)"` works.
  writeOut(`${file}\n`);
  return 0;
}
