/** The models side by side: a grouped bar chart and a heat-map table with ranks and shifts. */
import { type ComparisonReport, MODELS, type Model } from '@touchline/shared'
import { barChart, PALETTE } from '../charts/charts'
import type { Metric } from '../controls/controls'
import { h, replace } from '../dom/dom'
import type { Cell } from '../format/csv'
import { csvName } from '../format/csv'
import { dimensionLabel, formatShare, MODEL_LABELS } from '../format/format'
import { ranksOf } from '../format/ranks'
import { amountSpan, csvButton, keyButton, rankedCell, toolbar } from './common'

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
export function modelTable(answer: ComparisonReport, metric: Metric): ModelTable {
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
  answer: ComparisonReport,
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
            const base = { rank: row.cells[0]?.rank ?? 0, label: baselineLabel }
            return h(
              'tr',
              { 'data-key': row.key },
              h('th', { scope: 'row' }, keyButton(row.key, onDrill)),
              row.cells.map((cell, i) =>
                rankedCell(
                  {
                    'data-model': cell.model,
                    'data-conversions': cell.conversions,
                    'data-value': cell.value,
                    'data-share': cell.share,
                    'data-rank': cell.rank,
                  },
                  cell,
                  metric,
                  maxShare,
                  i === 0 ? undefined : base,
                ),
              ),
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
                amountSpan(metric, answer.totals),
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
