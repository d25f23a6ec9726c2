/** Aligns rows of cells into columns: text to the left, numbers to the right. */
export function alignedTable(
  header: readonly string[],
  rows: readonly (string | number)[][],
): string {
  const cells = [header, ...rows.map((row) => row.map(formatCell))]
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'),
  )
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)))
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '-'.repeat(width))
  return [line(header), line(rule), ...cells.slice(1).map(line)].join('\n')
}

function formatCell(value: string | number): string {
  if (typeof value === 'string') return value
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}
