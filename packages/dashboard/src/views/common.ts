/** Pieces every view uses: loading state, errors, CSV buttons, drill-down buttons, tables. */

import { type Child, h, replace } from '../dom/dom'
import { type Cell, csvOf, downloadCsv } from '../format/csv'

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
export function heat(cell: HTMLElement, share: number, max: number): void {
  const strength = max > 0 ? Math.max(0, share) / max : 0
  cell.style.backgroundColor = `rgba(0, 114, 178, ${(0.04 + 0.28 * strength).toFixed(3)})`
}
