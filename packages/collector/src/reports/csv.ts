import { csvOf } from '@touchline/shared'

// One CSV writer for the collector and the dashboard (shared `csvOf`: RFC 4180, cells that
// a spreadsheet would run as formulas neutralised).
export { csvOf }

/** Rows by key as CSV: `<keyHeader>,conversions,value,share`. */
export function rowsCsv(
  keyHeader: string,
  rows: readonly { key: string; conversions: number; value: number; share: number }[],
): string {
  return csvOf([
    [keyHeader, 'conversions', 'value', 'share'],
    ...rows.map((row) => [row.key, row.conversions, row.value, row.share]),
  ])
}
