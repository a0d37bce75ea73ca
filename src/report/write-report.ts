// Reading a run record from disk and writing its HTML report next to it (or where asked).
// The file holds prompts and answers, so it gets the run record's private mode.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { readEvents, readRun } from '../store/run-store.js';
import { describeFsError } from '../workspace/workspace.js';
import { renderHtmlReport } from './html.js';

export const REPORT_FILE = 'report.html';

export interface WriteReportOptions {
  /** Where runs live. */
  root: string;
  runId: string;
  /** Default: <root>/<runId>/report.html. */
  outFile?: string;
}

/** Resolves to the absolute path of the written report. */
export async function writeRunReport(options: WriteReportOptions): Promise<string> {
  const summary = await readRun(options.root, options.runId);
  const runHome = path.join(path.resolve(options.root), options.runId);
  const { events, skippedLines } = await readEvents(runHome);
  const html = renderHtmlReport({ summary, events, skippedEventLines: skippedLines, generatedAt: new Date() });
  const file = path.resolve(options.outFile ?? path.join(runHome, REPORT_FILE));
  try {
    await writeFile(file, html, { encoding: 'utf8', mode: 0o600 });
  } catch (error) {
    // A path the user gave that cannot be written is bad input (exit 2), not a crash.
    throw new UsageError(`cannot write the report to ${file}: ${describeFsError(error)}`);
  }
  return file;
}
