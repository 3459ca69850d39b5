/** Writes a suite's result as bench/results/<dir>/<suite>.json and .md, and the run summary. */
import fs from 'node:fs';
import path from 'node:path';
import type { SuiteResult, Table, Target } from './suite';

export function renderTable(t: Table): string {
  const cell = (v: string | number): string => String(typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v).replace(/\|/g, '\\|');
  return [
    `| ${t.columns.map(cell).join(' | ')} |`,
    `| ${t.columns.map(() => '---').join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export const targetsTable = (targets: Target[]): Table => ({
  title: 'Targets',
  columns: ['target', 'result', 'measured', 'bound', 'note'],
  rows: targets.map((t) => [t.name, t.pass === null ? 'not measured' : t.pass ? 'PASS' : 'FAIL', t.measured, t.bound, t.note ?? '']),
});

export function renderSuite(r: SuiteResult): string {
  const parts = [`# ${r.title}`, '', r.method, ''];
  if (r.startedAt) parts.push(`Run ${r.startedAt}, took ${((r.durationMs ?? 0) / 1000).toFixed(1)} s.`, '');
  if (r.targets.length > 0) parts.push('## Targets', '', renderTable(targetsTable(r.targets)), '');
  for (const t of r.tables) parts.push(`## ${t.title}`, '', renderTable(t), '');
  if (r.notes.length > 0) parts.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return parts.join('\n');
}

export function writeSuite(dir: string, r: SuiteResult): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${r.suite}.json`), `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${r.suite}.md`), `${renderSuite(r)}\n`);
}
