/** Several attribution models side by side over the same journeys (PRODUCT.md §7). */
import type { Model } from './models'
import { type AttributionInput, type AttributionRow, attribute } from './report'

export interface ComparisonInput extends Omit<AttributionInput, 'model'> {
  /** The models to compare, in the order of the columns; the first one orders the rows. */
  models: readonly Model[]
}

/** One model's credit for a key. */
export type ModelCredit = Omit<AttributionRow, 'key'>

export interface ComparisonRow {
  key: string
  /** Every compared model, 0 when it credits nothing to the key. */
  credits: Record<string, ModelCredit>
}

export interface ComparisonResult {
  models: Model[]
  totals: { conversions: number; value: number }
  rows: ComparisonRow[]
}

const NONE: ModelCredit = { conversions: 0, value: 0, share: 0 }

/**
 * Attributes the same conversions under each model (`attribute`, once per model) and joins
 * the rows by key: every key credited by any model has a credit for every model. Rows are
 * sorted by the first model's conversions, descending (ties within 1e-9 by key, as in
 * `attribute`). Totals are the same for every model.
 */
export function compareModels(input: ComparisonInput): ComparisonResult {
  const models = [...new Set(input.models)]
  const { models: _models, ...shared } = input
  const byModel = models.map((model) => attribute({ ...shared, model }))
  const rows = new Map<string, ComparisonRow>()
  for (const [i, result] of byModel.entries()) {
    const model = models[i] as Model
    for (const { key, ...credit } of result.rows) {
      let row = rows.get(key)
      if (!row) {
        row = { key, credits: Object.fromEntries(models.map((m) => [m, { ...NONE }])) }
        rows.set(key, row)
      }
      row.credits[model] = credit
    }
  }
  const first = models[0]
  const rank = (row: ComparisonRow) =>
    first === undefined ? 0 : Math.round((row.credits[first] as ModelCredit).conversions * 1e9)
  const sorted = [...rows.values()].sort((a, b) => rank(b) - rank(a) || a.key.localeCompare(b.key))
  const totals = byModel[0]?.totals ?? {
    conversions: input.conversions.length,
    value: input.conversions.reduce((sum, conversion) => sum + conversion.value, 0),
  }
  return { models, totals, rows: sorted }
}
