/** CSV (RFC 4180): a header and rows, CRLF line ends, fields quoted when needed. */
export function csvOf(lines: readonly (readonly (string | number)[])[]): string {
  const quote = (value: string | number) => {
    const text = String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return lines.map((line) => `${line.map(quote).join(',')}\r\n`).join('')
}

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
