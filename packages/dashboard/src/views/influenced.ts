/** The influenced view: conversions whose journey touched each key at all, beside the credit. */
import type { ComparisonReport, InfluencedReport, Model } from '@touchline/shared'
import { h, replace } from '../dom/dom'
import { csvName } from '../format/csv'
import { dimensionLabel, formatConversions, formatValue, MODEL_LABELS } from '../format/format'
import { csvButton, keyButton, shareCell, toolbar } from './common'

export function renderInfluenced(
  body: HTMLElement,
  answer: InfluencedReport,
  credited: { model: Model; answer: ComparisonReport } | undefined,
  onDrill: (key: string) => void,
): void {
  const creditOf = (key: string) =>
    credited?.answer.rows.find((row) => row.key === key)?.credits[credited.model]?.conversions ?? 0
  const modelLabel = credited ? MODEL_LABELS[credited.model] : ''
  const max = Math.max(0, ...answer.rows.map((row) => row.share))
  const by = dimensionLabel(answer.groupBy)
  replace(
    body,
    toolbar(
      h(
        'p',
        { class: 'lead' },
        `Of ${formatConversions(answer.totals.conversions)} conversions, how many had each ${by} anywhere in their journey. A journey counts for every key it touched, so shares add up to more than 100%.`,
      ),
      csvButton(
        'the influenced view',
        csvName('influenced', answer.conversion, answer.groupBy),
        () => [
          [
            answer.groupBy,
            'influenced conversions',
            'share',
            'value',
            ...(credited ? [`${credited.model} credit`] : []),
          ],
          ...answer.rows.map((row) => [
            row.key,
            row.conversions,
            row.share,
            row.value,
            ...(credited ? [creditOf(row.key)] : []),
          ]),
        ],
      ),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data influenced' },
        h('caption', { class: 'visually-hidden' }, `Influenced conversions by ${by}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, by),
            h('th', { scope: 'col' }, 'Influenced'),
            h('th', { scope: 'col' }, 'Share'),
            h('th', { scope: 'col' }, 'Value'),
            credited ? h('th', { scope: 'col' }, `Credit (${modelLabel})`) : null,
          ),
        ),
        h(
          'tbody',
          {},
          answer.rows.map((row) =>
            h(
              'tr',
              { 'data-key': row.key },
              h('th', { scope: 'row' }, keyButton(row.key, onDrill)),
              h('td', { 'data-conversions': row.conversions }, formatConversions(row.conversions)),
              shareCell(row.share, max),
              h('td', { 'data-value': row.value }, formatValue(row.value)),
              credited
                ? h(
                    'td',
                    { 'data-credit': creditOf(row.key) },
                    formatConversions(creditOf(row.key)),
                  )
                : null,
            ),
          ),
        ),
      ),
    ),
  )
}
