/** CSV (RFC 4180): a header and rows, CRLF line ends, fields quoted when needed. */
export function csvOf(lines: readonly (readonly (string | number)[])[]): string {
  const quote = (value: string | number) => {
    const text = String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return lines.map((line) => `${line.map(quote).join(',')}\r\n`).join('')
}
