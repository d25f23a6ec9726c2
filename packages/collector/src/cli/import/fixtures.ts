import { once } from 'node:events'
import { createWriteStream } from 'node:fs'

/**
 * Synthetic import files for tests and the import benchmark: CRM stages, offline touches
 * and page visits, with a broken line every `brokenEvery` rows.
 */

export const FIXTURE_HEADER =
  'email,userId,timestamp,type,event,channel,source,medium,campaign,revenue,url,referrer'

export interface FixtureCsv {
  /** Data rows written (the header excluded). */
  rows: number
  /** Lines that are broken, with what the import must say about each (a fragment). */
  broken: { line: number; reason: string }[]
}

const START = Date.UTC(2025, 0, 1)

/** The CSV line of row `i` (0-based): unique, so its generated messageId is too. */
export function fixtureRow(i: number): string {
  const email = `person-${i % 50_000}@company-${i % 5_000}.example.com`
  const time = new Date(START + i * 1_000).toISOString()
  switch (i % 4) {
    case 0:
      return `${email},,${time},track,touch,Events,webinar,offline,spring-${i % 7},,,`
    case 1:
      return `${email},,${time},page,,,,,,,https://www.example.com/p/${i}?utm_source=linkedin&utm_medium=paid,`
    case 2:
      return `${email},u-${i % 50_000},${time},track,mql,,,,,,,`
    default:
      return `${email},u-${i % 50_000},${time},track,closed_won,,,,,${(i % 90) * 100 + 1000},,`
  }
}

const BROKEN = [
  (i: number) => ({
    text: `person-${i}@example.com,,yesterday,track,mql,,,,,,,`,
    reason: 'timestamp "yesterday" is not an ISO 8601 date-time',
  }),
  (i: number) => ({
    text: `person-${i}@example.com,,2025-01-01T00:00:00Z,track,mql`,
    reason: '5 fields, but the header has 12 columns',
  }),
  (i: number) => ({
    text: `person-${i}@example.com,,2025-01-01T00:00:00Z,track,closed_won,,,,,12k,,`,
    reason: 'revenue "12k" is not a number',
  }),
  () => ({
    text: `,,2025-01-01T00:00:00Z,track,mql,,,,,,,`,
    reason: 'needs an email, a userId or an anonymousId',
  }),
  (i: number) => ({
    text: `person-${i}@example.com,,2025-01-01T00:00:00Z,track,touch,,,,,,,`,
    reason: 'an offline "touch" event needs "properties.channel"',
  }),
]

/** Writes a CSV of `rows` data rows; every `brokenEvery`-th row is broken (0: none). */
export async function writeFixtureCsv(
  path: string,
  rows: number,
  brokenEvery = 0,
): Promise<FixtureCsv> {
  const out = createWriteStream(path)
  const broken: FixtureCsv['broken'] = []
  let chunk = `${FIXTURE_HEADER}\n`
  for (let i = 0; i < rows; i++) {
    const line = i + 2
    if (brokenEvery > 0 && i % brokenEvery === brokenEvery - 1) {
      const make = BROKEN[broken.length % BROKEN.length] as (typeof BROKEN)[number]
      const { text, reason } = make(i)
      broken.push({ line, reason })
      chunk += `${text}\n`
    } else chunk += `${fixtureRow(i)}\n`
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end(chunk)
  await once(out, 'finish')
  return { rows, broken }
}
