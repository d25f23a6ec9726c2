/** A CSV cell: text, a number, or nothing (an empty cell). */
export type CsvCell = string | number | null | undefined

// What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet: text that starts with `=`, `+`,
 * `-`, `@`, a tab or a CR is prefixed with `'` so it stays text (OWASP); a cell with a
 * comma, a double quote, CR or LF is quoted, its quotes doubled. Finite numbers are
 * written as they are (`-0.5` stays a number); null and undefined are empty.
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  const text = String(value)
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** CSV of lines (the header first): cells as `csvCell` writes them, CRLF after each line. */
export function csvOf(lines: readonly (readonly CsvCell[])[]): string {
  return lines.map((line) => `${line.map(csvCell).join(',')}\r\n`).join('')
}
