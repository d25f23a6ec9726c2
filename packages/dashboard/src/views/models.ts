/** The models side by side: a grouped bar chart and a heat-map table with ranks and shifts. */
import { MODELS, type Model } from '@touchline/shared'
import type { CompareAnswer } from '../api/types'
import { barChart, PALETTE } from '../charts/charts'
import type { Metric } from '../controls/controls'
import { h, replace } from '../dom/dom'
import type { Cell } from '../format/csv'
import { csvName } from '../format/csv'
import {
  dimensionLabel,
  formatConversions,
  formatShare,
  formatValue,
  MODEL_LABELS,
} from '../format/format'
import { ranksOf, shiftLabel, shiftOf } from '../format/ranks'
import { csvButton, heat, keyButton, toolbar } from './common'

/** Keys in the chart (the table has them all). */
const CHART_KEYS = 10

export interface ModelTable {
  models: Model[]
  rows: {
    key: string
    cells: { model: Model; conversions: number; value: number; share: number; rank: number }[]
  }[]
}

/** Shares and ranks by the chosen measure; rows by the first model's, then key. */
export function modelTable(answer: CompareAnswer, metric: Metric): ModelTable {
  const models = answer.models
  const total = metric === 'value' ? answer.totals.value : answer.totals.conversions
  const measure = (credit: { conversions: number; value: number }) =>
    metric === 'value' ? credit.value : credit.conversions
  const ranks = new Map(
    models.map((model) => [
      model,
      ranksOf(new Map(answer.rows.map((row) => [row.key, measure(row.credits[model] ?? NONE)]))),
    ]),
  )
  const rows = answer.rows.map((row) => ({
    key: row.key,
    cells: models.map((model) => {
      const credit = row.credits[model] ?? NONE
      return {
        model,
        conversions: credit.conversions,
        value: credit.value,
        share: total > 0 ? measure(credit) / total : 0,
        rank: ranks.get(model)?.get(row.key) ?? 0,
      }
    }),
  }))
  rows.sort(
    (a, b) =>
      (a.cells[0]?.rank ?? 0) - (b.cells[0]?.rank ?? 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  )
  return { models, rows }
}

const NONE = { conversions: 0, value: 0, share: 0 }

export function renderModels(
  body: HTMLElement,
  answer: CompareAnswer,
  metric: Metric,
  onDrill: (key: string) => void,
): void {
  const table = modelTable(answer, metric)
  const [baseline] = table.models
  const by = dimensionLabel(answer.groupBy)
  const measureName = metric === 'value' ? 'value' : 'conversions'
  const canvas = h('canvas', {})
  const chartRows = table.rows.slice(0, CHART_KEYS)
  const heading = `Share of ${measureName} by ${by} under each model`

  const csvLines = (): Cell[][] => [
    [
      answer.groupBy,
      ...table.models.flatMap((model) => [
        `${model} conversions`,
        `${model} value`,
        `${model} share`,
        `${model} rank`,
      ]),
    ],
    ...table.rows.map((row) => [
      row.key,
      ...row.cells.flatMap((cell) => [cell.conversions, cell.value, cell.share, cell.rank]),
    ]),
  ]

  const maxShare = Math.max(0, ...table.rows.flatMap((row) => row.cells.map((cell) => cell.share)))
  const baselineLabel = baseline ? MODEL_LABELS[baseline] : ''
  replace(
    body,
    toolbar(
      h(
        'p',
        { class: 'lead' },
        `${heading}. Ranks per model; arrows compare each rank with ${baselineLabel}.`,
      ),
      csvButton(
        'the model comparison',
        csvName('models', answer.conversion, answer.groupBy),
        csvLines,
      ),
    ),
    h('div', { class: 'chart tall' }, canvas),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data models', 'data-metric': metric },
        h('caption', { class: 'visually-hidden' }, heading),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, by),
            table.models.map((model) =>
              h('th', { scope: 'col', 'data-model': model }, MODEL_LABELS[model]),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          table.rows.map((row) => {
            const baseRank = row.cells[0]?.rank ?? 0
            return h(
              'tr',
              { 'data-key': row.key },
              h('th', { scope: 'row' }, keyButton(row.key, onDrill)),
              row.cells.map((cell, i) => {
                const shift = shiftLabel(shiftOf(cell.rank, baseRank), baselineLabel)
                const direction =
                  i === 0
                    ? 'base'
                    : cell.rank < baseRank
                      ? 'up'
                      : cell.rank > baseRank
                        ? 'down'
                        : 'same'
                const td = h(
                  'td',
                  {
                    'data-model': cell.model,
                    'data-conversions': cell.conversions,
                    'data-value': cell.value,
                    'data-share': cell.share,
                    'data-rank': cell.rank,
                  },
                  h('span', { class: 'share' }, formatShare(cell.share)),
                  h(
                    'span',
                    { class: 'amount' },
                    metric === 'value'
                      ? formatValue(cell.value)
                      : formatConversions(cell.conversions),
                  ),
                  h(
                    'span',
                    { class: `rank ${direction}` },
                    `#${cell.rank}`,
                    i === 0 ? null : h('span', { 'aria-hidden': 'true' }, ` ${shift.symbol}`),
                    i === 0 ? null : h('span', { class: 'visually-hidden' }, `, ${shift.words}`),
                  ),
                )
                heat(td, cell.share, maxShare)
                return td
              }),
            )
          }),
        ),
        h(
          'tfoot',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, 'Total'),
            table.models.map((model) =>
              h(
                'td',
                { 'data-model': model },
                h('span', { class: 'share' }, formatShare(1)),
                h(
                  'span',
                  { class: 'amount' },
                  metric === 'value'
                    ? formatValue(answer.totals.value)
                    : formatConversions(answer.totals.conversions),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  )
  barChart(
    canvas,
    {
      labels: chartRows.map((row) => row.key),
      series: table.models.map((model, i) => ({
        label: MODEL_LABELS[model],
        data: chartRows.map((row) => (row.cells[i]?.share ?? 0) * 100),
        color: PALETTE[MODELS.indexOf(model) % PALETTE.length] as string,
      })),
      format: (value) => `${Math.round(value)}%`,
    },
    `Bar chart: ${heading}, top ${chartRows.length} ${by} keys. The table below has every figure.`,
  )
}
