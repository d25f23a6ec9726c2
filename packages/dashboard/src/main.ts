/**
 * The dashboard (PRODUCT.md §8): sign in with the secret key, pick the report settings, and
 * see the models side by side, lookback windows, journey statistics, top paths, the
 * influenced view and a drill-down to journeys — every figure from the report API — and
 * what the collector did not store (the ingestion warnings).
 */
import type {
  AttributionReport,
  ComparisonReport,
  ConversionNamesReport,
  InfluencedReport,
  IngestionWarnings,
  JourneyStatsReport,
} from '@touchline/shared'
import type { Api, Params } from './api/client'
import { forgetKey, storedKey } from './auth/session'
import { type SignedIn, showSignIn, signIn } from './auth/sign-in'
import {
  buildControls,
  type Controls,
  controlsFromUrl,
  defaultControls,
  problemOf,
  readControls,
  reportParams,
  urlOf,
  writeControls,
} from './controls/controls'
import { byId, h, replace } from './dom/dom'
import { formatConversions, formatValue, MODEL_LABELS } from './format/format'
import { setBusy, showError } from './views/common'
import { derivationNotice } from './views/derivation'
import { DrillDown, messageOf } from './views/drill-down'
import { renderInfluenced } from './views/influenced'
import { renderJourneyStats, renderTopPaths } from './views/journeys'
import { renderModels } from './views/models'
import { renderWarnings } from './views/warnings'
import { LOOKBACK_WINDOWS, renderWindows } from './views/windows'

const VIEWS = ['models-body', 'windows-body', 'journeys-body', 'paths-body', 'influenced-body']
const NO_DATA =
  'No track events yet: send some (see the README), or load the demo data set with "pnpm touchline demo".'

/** Answers of this session by URL: changing a setting back, or the measure, asks nothing. */
function cached(api: Api, limit = 200): Api & { clear(): void } {
  const answers = new Map<string, Promise<unknown>>()
  return {
    get<T>(path: string, params: Params = {}): Promise<T> {
      const id = `${path}?${JSON.stringify(params)}`
      let answer = answers.get(id)
      if (!answer) {
        answer = api.get<T>(path, params)
        answers.set(id, answer)
        answer.catch(() => answers.delete(id))
        if (answers.size > limit) answers.delete(answers.keys().next().value as string)
      }
      return answer as Promise<T>
    },
    clear: () => answers.clear(),
  }
}

/** Runs one view: busy while its answer is awaited, then drawn, or the API's message. */
async function view<T>(
  id: string,
  isCurrent: () => boolean,
  load: () => Promise<T>,
  draw: (body: HTMLElement, answer: T) => void,
): Promise<T | undefined> {
  const body = byId(id)
  setBusy(body, true)
  try {
    const answer = await load()
    if (!isCurrent()) return undefined
    draw(body, answer)
    return answer
  } catch (error) {
    if (isCurrent()) showError(body, messageOf(error))
    return undefined
  } finally {
    if (isCurrent()) setBusy(body, false)
  }
}

function start({ api: plain, conversions }: SignedIn): void {
  const api = cached(plain)
  const main = byId('main')
  main.hidden = false
  main.focus()
  byId('sign-out').hidden = false
  byId('reload').hidden = false
  const form = byId<HTMLFormElement>('controls')
  const status = byId('status')
  const drill = new DrillDown(api)
  let names = conversions.conversions
  let controls: Controls
  let generation = 0
  let warningsGeneration = 0

  // Not a report: it follows no setting, and is asked again only by "Reload data".
  const loadWarnings = () => {
    const current = ++warningsGeneration
    void view(
      'warnings-body',
      () => current === warningsGeneration,
      () => plain.get<IngestionWarnings>('/v1/ingestion/warnings'),
      renderWarnings,
    )
  }

  const setup = () => {
    buildControls(names)
    const defaults = defaultControls(names, Date.now())
    controls = controlsFromUrl(location.search, defaults)
    if (!names.some((name) => name.name === controls.conversion)) {
      controls.conversion = defaults.conversion
    }
    writeControls(controls)
  }

  const onDrill = (key: string) => {
    const [model] = controls.models
    if (model) void drill.open({ params: reportParams(controls), model, key })
  }

  const refresh = async () => {
    const current = ++generation
    const isCurrent = () => current === generation
    const problem = problemOf(controls)
    if (problem) {
      status.textContent = problem
      for (const id of VIEWS) {
        const body = byId(id)
        replace(body, h('p', { class: 'hint' }, names.length === 0 ? NO_DATA : problem))
        setBusy(body, false)
      }
      return
    }
    drill.close()
    status.textContent = 'Loading…'
    const started = performance.now()
    const params = reportParams(controls)
    const { metric, models, windowModel } = controls

    const compare = view(
      'models-body',
      isCurrent,
      () =>
        api.get<ComparisonReport>('/v1/reports/compare', { ...params, models: models.join(',') }),
      (body, answer) => renderModels(body, answer, metric, onDrill),
    )
    const windows = view(
      'windows-body',
      isCurrent,
      () =>
        Promise.all(
          LOOKBACK_WINDOWS.map((lookbackDays) =>
            api.get<AttributionReport>('/v1/reports/attribution', {
              ...params,
              model: windowModel,
              lookbackDays,
            }),
          ),
        ),
      (body, answers) => renderWindows(body, windowModel, answers, metric, onDrill),
    )
    const journeys = api.get<JourneyStatsReport>('/v1/reports/journeys', { ...params, limit: 10 })
    const stats = view('journeys-body', isCurrent, () => journeys, renderJourneyStats)
    const paths = view('paths-body', isCurrent, () => journeys, renderTopPaths)
    const influenced = view(
      'influenced-body',
      isCurrent,
      () =>
        Promise.all([
          api.get<InfluencedReport>('/v1/reports/influenced', params),
          compare.catch(() => undefined),
        ]),
      (body, [answer, compared]) =>
        renderInfluenced(
          body,
          answer,
          compared && models[0] ? { model: models[0], answer: compared } : undefined,
          onDrill,
        ),
    )

    const [compared] = await Promise.all([compare, windows, stats, paths, influenced])
    if (!isCurrent()) return
    const lookback = byId<HTMLInputElement>('lookback')
    if (compared) lookback.placeholder = `project default (${compared.lookbackDays})`
    const notice = byId('derivation')
    const told = derivationNotice(compared?.derivation)
    notice.hidden = !told
    notice.textContent = told ?? ''
    const ms = Math.round(performance.now() - started)
    status.textContent = compared
      ? `${formatConversions(compared.totals.conversions)} ${compared.conversion} conversions (value ${formatValue(compared.totals.value)}) from ${controls.from} through ${controls.through} (UTC), ${compared.lookbackDays}-day lookback, ${compared.level} level, rank shifts against ${MODEL_LABELS[models[0] ?? 'first_touch']}. Updated in ${ms} ms.`
      : 'Some reports could not be computed: see the messages below.'
    document.body.dataset.rendered = String(current)
  }

  form.addEventListener('submit', (event) => event.preventDefault())
  byId('main').addEventListener('change', () => {
    controls = readControls()
    history.replaceState(null, '', urlOf(controls))
    void refresh()
  })
  byId('reload').addEventListener('click', async () => {
    api.clear()
    loadWarnings()
    try {
      names = (await api.get<ConversionNamesReport>('/v1/reports/conversions')).conversions
      const chosen = readControls()
      buildControls(names)
      writeControls(chosen)
      controls = readControls()
    } catch (error) {
      status.textContent = messageOf(error)
      return
    }
    void refresh()
  })
  setup()
  loadWarnings()
  void refresh()
}

function signOut(): void {
  forgetKey()
  location.replace(location.pathname)
}

function boot(): void {
  byId('sign-out').addEventListener('click', signOut)
  const key = storedKey()
  if (!key) {
    showSignIn(start)
    return
  }
  signIn(key).then(start, (error: unknown) => {
    forgetKey()
    showSignIn(start, messageOf(error))
  })
}

boot()
