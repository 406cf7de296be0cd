import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROBLEM_KINDS, type ProblemKind } from '../src/http/problem';

/**
 * `npm run docs:errors`: renders the error table of docs/api.md from PROBLEM_KINDS, so the table
 * cannot drift from what the service answers. `--check` only reports whether the file is current.
 */

export const API_DOC = join(__dirname, '..', 'docs', 'api.md');
export const START_MARKER = '<!-- errors:start -->';
export const END_MARKER = '<!-- errors:end -->';

/** Pipes would end a table cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** One `| status | code | title | when |` row per code, sorted by status, then code. */
export function renderErrorTable(kinds: Record<string, ProblemKind> = PROBLEM_KINDS): string {
  const rows = Object.entries(kinds)
    .sort(([codeA, a], [codeB, b]) => a.status - b.status || (codeA < codeB ? -1 : 1))
    .map(([code, kind]) => `| ${kind.status} | \`${code}\` | ${cell(kind.title)} | ${cell(kind.when)} |`);
  return ['| status | code | title | when |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The document with the text between the markers replaced by the table. */
export function withErrorTable(document: string, table: string): string {
  const start = document.indexOf(START_MARKER);
  const end = document.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`docs/api.md lacks ${START_MARKER} ... ${END_MARKER}`);
  return `${document.slice(0, start + START_MARKER.length)}\n\n${table}\n\n${document.slice(end)}`;
}

/** The table as it stands in the document, normalised (Prettier pads the columns). */
export function tableIn(document: string): string {
  const start = document.indexOf(START_MARKER);
  const end = document.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`docs/api.md lacks ${START_MARKER} ... ${END_MARKER}`);
  return normaliseTable(document.slice(start + START_MARKER.length, end));
}

/** Rows with cells trimmed and the separator row reduced to `---`, so padding does not matter. */
export function normaliseTable(table: string): string {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/^:?-+:?$/, '---'))
        .join('|'),
    )
    .join('\n');
}

function main(): void {
  const document = readFileSync(API_DOC, 'utf8');
  const table = renderErrorTable();
  if (process.argv.includes('--check')) {
    const current = tableIn(document) === normaliseTable(table);
    process.stdout.write(current ? 'docs/api.md: error table is current\n' : 'docs/api.md: run npm run docs:errors\n');
    process.exitCode = current ? 0 : 1;
    return;
  }
  writeFileSync(API_DOC, withErrorTable(document, table));
  // Prettier aligns the columns, so the written file passes `npm run format:check` as it is.
  const prettier = join(dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');
  execFileSync(process.execPath, [prettier, '--log-level', 'warn', '--write', API_DOC], { stdio: 'inherit' });
  process.stdout.write('docs/api.md: error table written\n');
}

if (require.main === module) main();
