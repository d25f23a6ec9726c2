/** Pieces every view uses: loading state, errors, CSV buttons, drill-down buttons, tables. */

import type { Metric } from '../controls/controls'
import { type Child, h, replace } from '../dom/dom'
import { type Cell, csvOf, downloadCsv } from '../format/csv'
import { formatConversions, formatShare, formatValue } from '../format/format'
import { shiftLabel, shiftOf } from '../format/ranks'

/** Marks a view as loading (assistive technology and the tests wait on aria-busy). */
export function setBusy(view: HTMLElement, busy: boolean): void {
  view.setAttribute('aria-busy', String(busy))
}

export function showError(body: HTMLElement, message: string): void {
  replace(body, h('p', { class: 'error', role: 'alert' }, message))
}

/** A button that downloads the rows (header first) as a CSV file. */
export function csvButton(label: string, name: string, lines: () => Cell[][]): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary csv',
      onclick: () => downloadCsv(name, csvOf(lines())),
    },
    `Download CSV`,
    h('span', { class: 'visually-hidden' }, ` of ${label}`),
  )
}

/** A row's key as a button opening the people behind it. */
export function keyButton(key: string, onDrill: (key: string) => void): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'link key',
      title: `People whose journey touched ${key}`,
      onclick: () => onDrill(key),
    },
    key,
  )
}

/** A section's header line: what it shows, and its CSV button. */
export function toolbar(...children: Child[]): HTMLElement {
  return h('div', { class: 'toolbar' }, ...children)
}

/** Background of a heat-map cell: stronger blue for a larger share of the largest. */
function heat(cell: HTMLElement, share: number, max: number): void {
  const strength = max > 0 ? Math.max(0, share) / max : 0
  cell.style.backgroundColor = `rgba(0, 114, 178, ${(0.04 + 0.28 * strength).toFixed(3)})`
}

/** A share's cell (`data-share`), shaded against the largest share of its table. */
export function shareCell(share: number, max: number): HTMLTableCellElement {
  const cell = h('td', { 'data-share': share }, formatShare(share))
  heat(cell, share, max)
  return cell
}

/** Conversions or value, as the chosen measure. */
export function amountSpan(
  metric: Metric,
  figures: { conversions: number; value: number },
): HTMLElement {
  return h(
    'span',
    { class: 'amount' },
    metric === 'value' ? formatValue(figures.value) : formatConversions(figures.conversions),
  )
}

export interface RankedFigures {
  conversions: number
  value: number
  share: number
  rank: number
}

/**
 * A heat-map cell of a ranked table (models, lookback windows): share, amount and rank, with
 * the rank's shift from the baseline column's (`baseline` undefined: this is that column).
 */
export function rankedCell(
  attributes: Record<string, string | number>,
  figures: RankedFigures,
  metric: Metric,
  maxShare: number,
  baseline: { rank: number; label: string } | undefined,
): HTMLTableCellElement {
  const cell = h(
    'td',
    attributes,
    h('span', { class: 'share' }, formatShare(figures.share)),
    amountSpan(metric, figures),
    rankSpan(figures.rank, baseline),
  )
  heat(cell, figures.share, maxShare)
  return cell
}

function rankSpan(
  rank: number,
  baseline: { rank: number; label: string } | undefined,
): HTMLElement {
  if (!baseline) return h('span', { class: 'rank base' }, `#${rank}`)
  const shift = shiftLabel(shiftOf(rank, baseline.rank), baseline.label)
  const direction = rank < baseline.rank ? 'up' : rank > baseline.rank ? 'down' : 'same'
  return h(
    'span',
    { class: `rank ${direction}` },
    `#${rank}`,
    h('span', { 'aria-hidden': 'true' }, ` ${shift.symbol}`),
    h('span', { class: 'visually-hidden' }, `, ${shift.words}`),
  )
}
