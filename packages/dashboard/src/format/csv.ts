/** CSV (RFC 4180) of what a table shows, and its download. */

export type Cell = string | number | null | undefined

/** A header and rows, CRLF line ends, fields quoted when needed; null/undefined → empty. */
export function csvOf(lines: readonly (readonly Cell[])[]): string {
  const quote = (value: Cell) => {
    const text = value === null || value === undefined ? '' : String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return lines.map((line) => `${line.map(quote).join(',')}\r\n`).join('')
}

/** A file name from words: `compare demo_request channel` → `compare-demo_request-channel.csv`. */
export function csvName(...words: string[]): string {
  const slug = words
    .join('-')
    .toLowerCase()
    .replace(/[^\w.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'export'}.csv`
}

/** Makes the browser download `csv` as `name`. */
export function downloadCsv(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
