/** Journey statistics (touches, sessions, days to convert) and the top converting paths. */
import type { Distribution, JourneyStatsReport } from '@touchline/shared'
import { barChart, PALETTE } from '../charts/charts'
import { h, replace } from '../dom/dom'
import { csvName } from '../format/csv'
import { formatConversions, formatDays, formatValue } from '../format/format'
import { csvButton, shareCell, toolbar } from './common'

const DISTRIBUTIONS = [
  { name: 'touches', title: 'Touches per journey', unit: 'touches', color: PALETTE[0] },
  { name: 'sessions', title: 'Sessions per journey', unit: 'sessions', color: PALETTE[2] },
  { name: 'daysToConvert', title: 'Days to convert', unit: 'days', color: PALETTE[1] },
] as const

function figures(distribution: Distribution): HTMLElement {
  const item = (term: string, value: string) => [h('dt', {}, term), h('dd', {}, value)]
  return h(
    'dl',
    { class: 'figures' },
    item('journeys', String(distribution.count)),
    item('mean', formatDays(distribution.mean)),
    item('median', formatDays(distribution.median)),
    item('p90', formatDays(distribution.p90)),
    item('max', formatDays(distribution.max)),
  )
}

export function renderJourneyStats(body: HTMLElement, answer: JourneyStatsReport): void {
  const charts: [HTMLCanvasElement, (typeof DISTRIBUTIONS)[number]][] = []
  replace(
    body,
    h(
      'p',
      { class: 'lead' },
      `The journeys of ${formatConversions(answer.totals.conversions)} ${answer.conversion} conversions: touches from ${answer.lookbackDays} days before each conversion up to it.`,
    ),
    h(
      'div',
      { class: 'histograms' },
      DISTRIBUTIONS.map((spec) => {
        const distribution = answer[spec.name]
        const canvas = h('canvas', {})
        charts.push([canvas, spec])
        return h(
          'figure',
          { class: 'histogram', 'data-distribution': spec.name },
          h('figcaption', {}, spec.title),
          h('div', { class: 'chart small' }, canvas),
          figures(distribution),
        )
      }),
    ),
  )
  for (const [canvas, spec] of charts) {
    const distribution = answer[spec.name]
    barChart(
      canvas,
      {
        labels: distribution.histogram.map((bucket) => bucket.bucket),
        series: [
          {
            label: 'journeys',
            data: distribution.histogram.map((bucket) => bucket.count),
            color: spec.color as string,
          },
        ],
        format: (value) => String(Math.round(value)),
      },
      `Histogram of ${spec.title.toLowerCase()}: ${distribution.histogram
        .map((bucket) => `${bucket.bucket} ${spec.unit}: ${bucket.count}`)
        .join('; ')}.`,
    )
  }
}

export function renderTopPaths(body: HTMLElement, answer: JourneyStatsReport): void {
  const max = Math.max(0, ...answer.topPaths.map((path) => path.share))
  replace(
    body,
    toolbar(
      h(
        'p',
        { class: 'lead' },
        `The ${answer.topPaths.length} most frequent of ${answer.distinctPaths} distinct paths (${answer.groupBy} keys in time order, repeats collapsed).`,
      ),
      csvButton('the top paths', csvName('paths', answer.conversion, answer.groupBy), () => [
        ['path', 'conversions', 'value', 'share'],
        ...answer.topPaths.map((path) => [path.key, path.conversions, path.value, path.share]),
      ]),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data paths' },
        h('caption', { class: 'visually-hidden' }, 'Top converting paths'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Path'),
            h('th', { scope: 'col' }, 'Conversions'),
            h('th', { scope: 'col' }, 'Share'),
            h('th', { scope: 'col' }, 'Value'),
          ),
        ),
        h(
          'tbody',
          {},
          answer.topPaths.map((path) =>
            h(
              'tr',
              { 'data-key': path.key },
              h(
                'th',
                { scope: 'row', class: 'path' },
                path.path.length === 0
                  ? '(unattributed)'
                  : path.path.flatMap((key, i) => [
                      i > 0 ? h('span', { class: 'arrow', 'aria-label': 'then' }, ' → ') : null,
                      h('span', { class: 'step' }, key),
                    ]),
              ),
              h(
                'td',
                { 'data-conversions': path.conversions },
                formatConversions(path.conversions),
              ),
              shareCell(path.share, max),
              h('td', { 'data-value': path.value }, formatValue(path.value)),
            ),
          ),
        ),
      ),
    ),
  )
}
