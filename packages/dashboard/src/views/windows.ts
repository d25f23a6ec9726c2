/** One model across lookback windows (30, 90, 180 days): how ranks move with the window. */
import type { AttributionReport, Model } from '@touchline/shared'
import { barChart, PALETTE } from '../charts/charts'
import type { Metric } from '../controls/controls'
import { h, replace } from '../dom/dom'
import { type Cell, csvName } from '../format/csv'
import { dimensionLabel, MODEL_LABELS } from '../format/format'
import { ranksOf } from '../format/ranks'
import { csvButton, keyButton, rankedCell, toolbar } from './common'

export const LOOKBACK_WINDOWS = [30, 90, 180] as const
const CHART_KEYS = 10
const WINDOW_COLORS = [PALETTE[4], PALETTE[0], PALETTE[7]] as string[]

export function renderWindows(
  body: HTMLElement,
  model: Model,
  answers: readonly AttributionReport[],
  metric: Metric,
  onDrill: (key: string) => void,
): void {
  const measure = (row: { conversions: number; value: number }) =>
    metric === 'value' ? row.value : row.conversions
  const keys = [...new Set(answers.flatMap((answer) => answer.rows.map((row) => row.key)))]
  const columns = answers.map((answer) => {
    const byKey = new Map(answer.rows.map((row) => [row.key, row]))
    const total = metric === 'value' ? answer.totals.value : answer.totals.conversions
    const ranks = ranksOf(new Map(keys.map((key) => [key, measure(byKey.get(key) ?? NONE)])))
    return { answer, byKey, total, ranks }
  })
  const first = columns[0]
  keys.sort(
    (a, b) =>
      (first?.ranks.get(a) ?? 0) - (first?.ranks.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  )
  const shareOf = (column: (typeof columns)[number], key: string) =>
    column.total > 0 ? measure(column.byKey.get(key) ?? NONE) / column.total : 0
  const maxShare = Math.max(
    0,
    ...columns.flatMap((column) => keys.map((key) => shareOf(column, key))),
  )
  const by = dimensionLabel(answers[0]?.groupBy ?? '')
  const label = (days: number) => `${days}-day lookback`
  const heading = `${MODEL_LABELS[model]}: share of ${metric} by ${by} with each lookback window`
  const baseLabel = first ? label(first.answer.lookbackDays) : ''
  const canvas = h('canvas', {})

  const csvLines = (): Cell[][] => [
    [
      answers[0]?.groupBy ?? 'key',
      ...columns.flatMap(({ answer }) => [
        `${answer.lookbackDays}d conversions`,
        `${answer.lookbackDays}d value`,
        `${answer.lookbackDays}d share`,
        `${answer.lookbackDays}d rank`,
      ]),
    ],
    ...keys.map((key) => [
      key,
      ...columns.flatMap((column) => {
        const row = column.byKey.get(key) ?? NONE
        return [row.conversions, row.value, shareOf(column, key), column.ranks.get(key) ?? 0]
      }),
    ]),
  ]

  replace(
    body,
    toolbar(
      h(
        'p',
        { class: 'lead' },
        `${heading}. Longer windows let earlier touches in; arrows compare each rank with the ${baseLabel}.`,
      ),
      csvButton(
        'the lookback windows',
        csvName('lookback', model, answers[0]?.conversion ?? ''),
        csvLines,
      ),
    ),
    h('div', { class: 'chart' }, canvas),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data windows' },
        h('caption', { class: 'visually-hidden' }, heading),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, by),
            columns.map(({ answer }) =>
              h(
                'th',
                { scope: 'col', 'data-lookback': answer.lookbackDays },
                label(answer.lookbackDays),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          keys.map((key) => {
            const base = { rank: first?.ranks.get(key) ?? 0, label: baseLabel }
            return h(
              'tr',
              { 'data-key': key },
              h('th', { scope: 'row' }, keyButton(key, onDrill)),
              columns.map((column, i) => {
                const row = column.byKey.get(key) ?? NONE
                const rank = column.ranks.get(key) ?? 0
                return rankedCell(
                  {
                    'data-lookback': column.answer.lookbackDays,
                    'data-conversions': row.conversions,
                    'data-value': row.value,
                    'data-rank': rank,
                  },
                  {
                    conversions: row.conversions,
                    value: row.value,
                    share: shareOf(column, key),
                    rank,
                  },
                  metric,
                  maxShare,
                  i === 0 ? undefined : base,
                )
              }),
            )
          }),
        ),
      ),
    ),
  )
  const chartKeys = keys.slice(0, CHART_KEYS)
  barChart(
    canvas,
    {
      labels: chartKeys,
      series: columns.map((column, i) => ({
        label: label(column.answer.lookbackDays),
        data: chartKeys.map((key) => shareOf(column, key) * 100),
        color: WINDOW_COLORS[i % WINDOW_COLORS.length] as string,
      })),
      format: (value) => `${Math.round(value)}%`,
    },
    `Bar chart: ${heading}, top ${chartKeys.length} keys. The table below has every figure.`,
  )
}

const NONE = { conversions: 0, value: 0, share: 0 }
