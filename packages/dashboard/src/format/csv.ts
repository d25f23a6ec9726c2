// What a table shows as CSV: the shared writer (cells that a spreadsheet would run as
// formulas neutralised, as in the API's CSV), and its download.
import type { CsvCell } from '@touchline/shared'

export { csvOf } from '@touchline/shared'
export type Cell = CsvCell

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
