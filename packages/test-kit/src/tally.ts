export interface TallyRow {
  category: string;
  cases: number;
  passed: number;
  failed: number;
}

export interface Tally {
  /** Counts one case of `category`; a non-empty `violations` list fails it, and its first entries are kept. */
  record(category: string, violations: readonly string[], example?: unknown): void;
  rows(): TallyRow[];
  /** Failed cases with what they broke, at most `limit` of them: what a failing assertion prints. */
  failures(limit?: number): Array<{ category: string; violations: readonly string[]; example?: unknown }>;
  /** The rows as a Markdown table with a total line, titled. */
  table(title: string): string;
}

/**
 * Counts the cases a suite ran, by category, and keeps the failed ones, so that a suite can run every case,
 * print a summary table (which also goes into the docs) and fail once at the end with the examples.
 */
export function createTally(): Tally {
  const counts = new Map<string, TallyRow>();
  const failed: Array<{ category: string; violations: readonly string[]; example?: unknown }> = [];
  return {
    record(category, violations, example) {
      const row = counts.get(category) ?? { category, cases: 0, passed: 0, failed: 0 };
      row.cases++;
      if (violations.length === 0) row.passed++;
      else {
        row.failed++;
        failed.push({ category, violations, example });
      }
      counts.set(category, row);
    },
    rows: () => [...counts.values()],
    failures: (limit = 10) => failed.slice(0, limit),
    table(title) {
      return formatTable(title, [...counts.values()]);
    },
  };
}

/** A Markdown table of rows, with a total line. */
export function formatTable(title: string, rows: readonly TallyRow[]): string {
  const total = rows.reduce(
    (sum, row) => ({
      category: '**total**',
      cases: sum.cases + row.cases,
      passed: sum.passed + row.passed,
      failed: sum.failed + row.failed,
    }),
    { category: '**total**', cases: 0, passed: 0, failed: 0 },
  );
  const all = [...rows, total];
  const width = Math.max('category'.length, ...all.map((row) => row.category.length));
  const line = (cells: Array<string | number>) =>
    `| ${String(cells[0]).padEnd(width)} | ${cells
      .slice(1)
      .map((cell) => String(cell).padStart(6))
      .join(' | ')} |`;
  return [
    `### ${title}`,
    '',
    line(['category', 'cases', 'passed', 'failed']),
    `| ${'-'.repeat(width)} | ${Array(3).fill('-----:').join(' | ')} |`,
    ...all.map((row) => line([row.category, row.cases, row.passed, row.failed])),
    '',
  ].join('\n');
}
