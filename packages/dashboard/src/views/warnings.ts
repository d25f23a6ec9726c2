/** Ingestion warnings: what the collector did not store, and why (`/v1/ingestion/warnings`). */
import {
  DROP_REASONS,
  type DropReason,
  type IngestionWarnings,
  type WarningSample,
} from '@touchline/shared'
import { h, replace } from '../dom/dom'
import { formatTime, formatValue } from '../format/format'

/** The latest samples shown; the API keeps up to 100. */
export const SHOWN_SAMPLES = 10

const timeOf = (iso: string) => h('time', { datetime: iso }, `${formatTime(iso)} UTC`)
const fieldOf = (field: string) => field || '–'

function totals(answer: IngestionWarnings): HTMLElement {
  const reasons = (Object.keys(DROP_REASONS) as DropReason[])
    .filter((reason) => (answer.totals[reason] ?? 0) > 0)
    .sort((a, b) => (answer.totals[b] ?? 0) - (answer.totals[a] ?? 0))
  return h(
    'ul',
    { class: 'warning-totals' },
    reasons.map((reason) =>
      h(
        'li',
        { 'data-reason': reason },
        h('strong', {}, formatValue(answer.totals[reason] ?? 0)),
        ` ${DROP_REASONS[reason]}`,
      ),
    ),
  )
}

function countsTable(answer: IngestionWarnings): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data warnings' },
      h('caption', { class: 'visually-hidden' }, 'Not stored, by reason, library and field'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Reason'),
          h('th', { scope: 'col', class: 'text' }, 'Library'),
          h('th', { scope: 'col', class: 'text' }, 'Field'),
          h('th', { scope: 'col' }, 'Count'),
          h('th', { scope: 'col' }, 'Last'),
        ),
      ),
      h(
        'tbody',
        {},
        answer.counts.map((row) =>
          h(
            'tr',
            { 'data-reason': row.reason },
            h('th', { scope: 'row' }, DROP_REASONS[row.reason]),
            h('td', { class: 'text' }, row.library),
            h('td', { class: 'text' }, fieldOf(row.field)),
            h('td', { 'data-count': row.count }, formatValue(row.count)),
            h('td', {}, timeOf(row.last)),
          ),
        ),
      ),
    ),
  )
}

function sampleItem(sample: WarningSample): HTMLElement {
  return h(
    'li',
    { 'data-reason': sample.reason },
    h('p', { class: 'sample-error' }, sample.error),
    h(
      'p',
      { class: 'sample-meta' },
      `${DROP_REASONS[sample.reason]} · ${sample.library} · field ${fieldOf(sample.field)} · `,
      timeOf(sample.at),
    ),
    sample.payload
      ? h('details', {}, h('summary', {}, 'Payload'), h('pre', {}, sample.payload))
      : null,
  )
}

export function renderWarnings(body: HTMLElement, answer: IngestionWarnings): void {
  if (answer.counts.length === 0) {
    replace(body, h('p', { class: 'calm' }, 'Every event received was stored.'))
    return
  }
  const samples = answer.samples.slice(0, SHOWN_SAMPLES)
  replace(
    body,
    h(
      'p',
      { class: 'lead' },
      'What the collector received but did not store: fix the senders, or ignore what is expected (bots).',
    ),
    totals(answer),
    countsTable(answer),
    samples.length > 0
      ? [
          h(
            'h3',
            {},
            `Latest ${samples.length === 1 ? 'sample' : `${samples.length} samples`}, newest first`,
          ),
          h('ol', { class: 'samples' }, samples.map(sampleItem)),
        ]
      : null,
  )
}
