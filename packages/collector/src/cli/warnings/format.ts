import {
  DROP_REASONS,
  type DropReason,
  type IngestionWarnings,
  REQUEST_REASONS,
  type WarningSample,
} from '@touchline/shared'
import { alignedTable } from '../report/table'

/** A sample's payload is cut to this many characters (`--format json` has it whole). */
export const PAYLOAD_CHARS = 200

const NOTHING = 'Nothing was refused: every event received was stored.'

/** `2026-03-01 10:00:00` (UTC) of an ISO time. */
const timeOf = (iso: string) => iso.slice(0, 19).replace('T', ' ')

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/**
 * What senders wrote, on one line and without control characters (a user agent or a body
 * can hold terminal escapes).
 */
const oneLine = (text: string) => text.replace(/[\s\p{Cc}]+/gu, ' ').trim()

function cut(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text
}

/**
 * The one-line total: `5 events not stored: 3 rejected: not a valid event, 2 ignored: sent by
 * a bot`, then the refused requests (whose events are unknown) after a `;`.
 */
export function totalLine(totals: IngestionWarnings['totals']): string {
  const reasons = (Object.keys(DROP_REASONS) as DropReason[])
    .filter((reason) => (totals[reason] ?? 0) > 0)
    .sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0))
  const part = (requests: boolean, noun: string) => {
    const chosen = reasons.filter((reason) => REQUEST_REASONS.has(reason) === requests)
    const sum = chosen.reduce((total, reason) => total + (totals[reason] ?? 0), 0)
    const each = chosen.map((reason) => `${totals[reason]} ${DROP_REASONS[reason]}`)
    return sum > 0 ? `${counted(sum, noun)} not stored: ${each.join(', ')}` : ''
  }
  const parts = [part(false, 'event'), part(true, 'request')].filter(Boolean)
  return parts.length > 0 ? parts.join('; ') : NOTHING
}

function samplesTable(samples: readonly WarningSample[]): string {
  const [header = '', rule = '', ...rows] = alignedTable(
    ['time', 'reason', 'library', 'field', 'error'],
    samples.map((sample) => [
      timeOf(sample.at),
      DROP_REASONS[sample.reason],
      oneLine(sample.library),
      oneLine(sample.field) || '-',
      oneLine(sample.error),
    ]),
  ).split('\n')
  return [
    header,
    rule,
    ...rows.flatMap((row, i) => {
      const payload = oneLine(samples[i]?.payload ?? '')
      return payload ? [row, `    ${cut(payload, PAYLOAD_CHARS)}`] : [row]
    }),
  ].join('\n')
}

/** `touchline warnings`: the total, the counts by reason, library and field, the latest samples. */
export function formatWarnings(warnings: IngestionWarnings, maxSamples: number): string {
  const total = totalLine(warnings.totals)
  if (warnings.counts.length === 0) return total
  const lines = [
    total,
    '',
    alignedTable(
      ['reason', 'library', 'field', 'count', 'last'],
      warnings.counts.map((row) => [
        DROP_REASONS[row.reason],
        oneLine(row.library),
        oneLine(row.field) || '-',
        row.count,
        timeOf(row.last),
      ]),
    ),
  ]
  const samples = warnings.samples.slice(0, maxSamples)
  if (samples.length > 0) {
    const more = warnings.samples.length > samples.length ? '; --samples N for more' : ''
    lines.push(
      '',
      `Latest samples, newest first (${samples.length} of ${warnings.samples.length}${more}):`,
      samplesTable(samples),
    )
  }
  return lines.join('\n')
}
