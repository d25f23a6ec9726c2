/** The report settings: the form, its state, the page URL (shareable, no key) and API params. */
import {
  type ConversionName,
  GROUP_BYS,
  type GroupBy,
  type Level,
  MODELS,
  type Model,
} from '@touchline/shared'
import type { Params } from '../api/client'
import { append, byId, h } from '../dom/dom'
import { daysBefore, dimensionLabel, isoDay, MODEL_LABELS, nextDay } from '../format/format'

export type Metric = 'conversions' | 'value'

export interface Controls {
  conversion: string
  /** First day (UTC), inclusive. */
  from: string
  /** Last day (UTC), inclusive: the API's `to` is the day after. */
  through: string
  /** Empty: the project's default. */
  lookbackDays: string
  groupBy: GroupBy
  level: Level
  halfLifeDays: string
  metric: Metric
  /** Compared models, in the order of the columns; the first is the baseline of rank shifts. */
  models: Model[]
  /** The model of the lookback-window comparison. */
  windowModel: Model
}

/** Conversions the dashboard opens with, when the data has them (most telling first). */
const PREFERRED_CONVERSIONS = ['demo_request', 'form_submit', 'mql', 'opportunity_created']
export const DEFAULT_DAYS = 90
export const DEFAULT_MODELS: readonly Model[] = MODELS

export function defaultControls(conversions: readonly ConversionName[], today: number): Controls {
  const names = conversions.map((conversion) => conversion.name)
  const through = isoDay(today)
  return {
    conversion: PREFERRED_CONVERSIONS.find((name) => names.includes(name)) ?? names[0] ?? '',
    from: daysBefore(through, DEFAULT_DAYS - 1),
    through,
    lookbackDays: '',
    groupBy: 'channel',
    level: 'person',
    halfLifeDays: '7',
    metric: 'conversions',
    models: [...DEFAULT_MODELS],
    windowModel: 'linear',
  }
}

/** The common parameters of every report. */
export function reportParams(controls: Controls): Params {
  return {
    conversion: controls.conversion,
    from: controls.from,
    to: nextDay(controls.through),
    groupBy: controls.groupBy,
    level: controls.level,
    lookbackDays: controls.lookbackDays.trim() || undefined,
    halfLifeDays: controls.halfLifeDays.trim() || undefined,
  }
}

const isModel = (value: string): value is Model => (MODELS as readonly string[]).includes(value)
const isGroupBy = (value: string): value is GroupBy =>
  (GROUP_BYS as readonly string[]).includes(value)
const isDay = (value: string | null): value is string =>
  value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))

/** Settings from the page URL's query over the defaults (anything unreadable is ignored). */
export function controlsFromUrl(search: string, defaults: Controls): Controls {
  const query = new URLSearchParams(search)
  const get = (name: string) => query.get(name)
  const models = get('models')?.split(',').filter(isModel)
  const groupBy = get('groupBy') ?? ''
  const level = get('level')
  const metric = get('metric')
  const windowModel = get('windowModel') ?? ''
  return {
    conversion: get('conversion') || defaults.conversion,
    from: isDay(get('from')) ? (get('from') as string) : defaults.from,
    through: isDay(get('through')) ? (get('through') as string) : defaults.through,
    lookbackDays: get('lookbackDays') ?? defaults.lookbackDays,
    groupBy: isGroupBy(groupBy) ? groupBy : defaults.groupBy,
    level: level === 'account' || level === 'person' ? level : defaults.level,
    halfLifeDays: get('halfLifeDays') ?? defaults.halfLifeDays,
    metric: metric === 'value' || metric === 'conversions' ? metric : defaults.metric,
    models: models && models.length > 0 ? models : defaults.models,
    windowModel: isModel(windowModel) ? windowModel : defaults.windowModel,
  }
}

/** The settings as the page URL's query, so a view can be bookmarked (the key never is). */
export function urlOf(controls: Controls): string {
  const query = new URLSearchParams({
    conversion: controls.conversion,
    from: controls.from,
    through: controls.through,
    groupBy: controls.groupBy,
    level: controls.level,
    metric: controls.metric,
    models: controls.models.join(','),
    windowModel: controls.windowModel,
  })
  if (controls.lookbackDays.trim()) query.set('lookbackDays', controls.lookbackDays.trim())
  if (controls.halfLifeDays.trim() !== '7') query.set('halfLifeDays', controls.halfLifeDays.trim())
  return `?${query}`
}

const field = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id)

/** Fills the form's choices (conversion names from the data, groupings, models). */
export function buildControls(conversions: readonly ConversionName[]): void {
  const conversion = byId<HTMLSelectElement>('conversion')
  conversion.replaceChildren()
  for (const { name, events } of conversions) {
    append(conversion, h('option', { value: name }, `${name} (${events.toLocaleString('en-US')})`))
  }
  if (conversions.length === 0) {
    append(conversion, h('option', { value: '' }, 'no track events yet'))
  }
  const groupBy = byId<HTMLSelectElement>('group-by')
  groupBy.replaceChildren()
  for (const name of GROUP_BYS) append(groupBy, h('option', { value: name }, dimensionLabel(name)))

  const models = byId('models')
  models.querySelectorAll('.model-choice').forEach((element) => {
    element.remove()
  })
  for (const model of MODELS) {
    const id = `model-${model}`
    append(
      models,
      h(
        'span',
        { class: 'model-choice' },
        h('input', { type: 'checkbox', id, name: 'models', value: model }),
        h('label', { for: id }, MODEL_LABELS[model]),
      ),
    )
  }
  const windowModel = byId<HTMLSelectElement>('window-model')
  windowModel.replaceChildren()
  for (const model of MODELS)
    append(windowModel, h('option', { value: model }, MODEL_LABELS[model]))
}

/** Shows `controls` in the form. */
export function writeControls(controls: Controls): void {
  field('conversion').value = controls.conversion
  field('from').value = controls.from
  field('through').value = controls.through
  field('lookback').value = controls.lookbackDays
  field('group-by').value = controls.groupBy
  field('half-life').value = controls.halfLifeDays
  field('metric').value = controls.metric
  field('window-model').value = controls.windowModel
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="level"]')) {
    radio.checked = radio.value === controls.level
  }
  for (const box of document.querySelectorAll<HTMLInputElement>('input[name="models"]')) {
    box.checked = controls.models.includes(box.value as Model)
  }
}

/** The settings the form shows. */
export function readControls(): Controls {
  const level =
    document.querySelector<HTMLInputElement>('input[name="level"]:checked')?.value === 'account'
      ? 'account'
      : 'person'
  const models = [...document.querySelectorAll<HTMLInputElement>('input[name="models"]:checked')]
    .map((box) => box.value)
    .filter(isModel)
  const groupBy = field('group-by').value
  const windowModel = field('window-model').value
  return {
    conversion: field('conversion').value,
    from: field('from').value,
    through: field('through').value,
    lookbackDays: field('lookback').value,
    groupBy: isGroupBy(groupBy) ? groupBy : 'channel',
    level,
    halfLifeDays: field('half-life').value,
    metric: field('metric').value === 'value' ? 'value' : 'conversions',
    models,
    windowModel: isModel(windowModel) ? windowModel : 'linear',
  }
}

/** What is wrong with the settings before asking the API, or undefined. */
export function problemOf(controls: Controls): string | undefined {
  if (!controls.conversion) return 'Choose a conversion: the collector has no track events yet.'
  if (!isDay(controls.from) || !isDay(controls.through)) return 'Give both dates.'
  if (controls.from > controls.through) return '"From" must be on or before "Through".'
  if (controls.models.length === 0) return 'Choose at least one model.'
  return undefined
}
