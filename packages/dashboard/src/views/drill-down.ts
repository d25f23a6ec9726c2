/**
 * The drill-down: the people (or accounts) behind a row, then one journey's summary and
 * timeline (sessions, offline touches, identify, group and track events).
 */
import type {
  GroupBy,
  Journey,
  KeyPeopleReport,
  KeyPerson,
  Model,
  SummaryTouchView,
  TimelineItem,
} from '@touchline/shared'
import type { Api, Params } from '../api/client'
import { ApiError } from '../api/client'
import { byId, h, replace } from '../dom/dom'
import { csvName } from '../format/csv'
import {
  formatConversions,
  formatDays,
  formatShare,
  formatTime,
  formatValue,
  MODEL_LABELS,
} from '../format/format'
import { csvButton, setBusy, showError, toolbar } from './common'

export interface DrillDownQuery {
  /** The report's common parameters. */
  params: Params
  model: Model
  key: string
}

/** Opens the people behind `query.key`, and a journey when one is picked. */
export class DrillDown {
  private generation = 0
  private readonly section = byId('drill-down')
  private readonly title = byId('drill-down-title')
  private readonly people = byId('people-body')
  private readonly journey = byId('journey-body')

  constructor(private readonly api: Api) {
    byId('drill-down-close').addEventListener('click', () => this.close())
  }

  close(): void {
    this.generation++
    this.section.hidden = true
  }

  async open(query: DrillDownQuery): Promise<void> {
    const generation = ++this.generation
    this.section.hidden = false
    this.title.textContent = `People behind “${query.key}”`
    replace(this.journey)
    this.journey.hidden = true
    setBusy(this.people, true)
    this.title.focus()
    this.section.scrollIntoView({ block: 'start' })
    try {
      const answer = await this.api.get<KeyPeopleReport>('/v1/reports/people', {
        ...query.params,
        model: query.model,
        key: query.key,
        limit: 200,
      })
      if (generation !== this.generation) return
      this.renderPeople(answer, query)
    } catch (error) {
      if (generation === this.generation) showError(this.people, messageOf(error))
    } finally {
      if (generation === this.generation) setBusy(this.people, false)
    }
  }

  private renderPeople(answer: KeyPeopleReport, query: DrillDownQuery): void {
    const who = answer.level === 'account' ? 'Account' : 'Person'
    const modelLabel = MODEL_LABELS[answer.model]
    const credited = answer.credited
      ? `${modelLabel} credits it with ${formatConversions(answer.credited.conversions)} of them.`
      : `${modelLabel} credits keys across all journeys, not conversion by conversion: no credit per person.`
    replace(
      this.people,
      toolbar(
        h(
          'p',
          { class: 'lead' },
          `${answer.conversions} of ${answer.totals.conversions} ${answer.conversion} conversions had “${answer.key}” in their journey (value ${formatValue(answer.value)}). ${credited}`,
          answer.people.length < answer.conversions
            ? ` The first ${answer.people.length} are shown.`
            : '',
        ),
        csvButton('the people', csvName('people', answer.conversion, answer.key), () => [
          [
            answer.level,
            'owner',
            'conversion time',
            'value',
            'touches',
            'key touches',
            `${answer.model} credit`,
          ],
          ...answer.people.map((row) => [
            row.label,
            row.owner,
            row.time,
            row.value,
            row.touches,
            row.keyTouches,
            row.credit,
          ]),
        ]),
      ),
      h(
        'div',
        {
          class: 'table-wrap scroll',
          role: 'region',
          tabindex: '0',
          'aria-label': `People behind ${answer.key} (scrollable)`,
        },
        h(
          'table',
          { class: 'data people' },
          h('caption', { class: 'visually-hidden' }, `People behind ${answer.key}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, who),
              h('th', { scope: 'col' }, 'Converted'),
              h('th', { scope: 'col' }, 'Value'),
              h('th', { scope: 'col' }, 'Touches'),
              h('th', { scope: 'col' }, `Touches of “${answer.key}”`),
              h('th', { scope: 'col' }, `Credit (${modelLabel})`),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Journey')),
            ),
          ),
          h(
            'tbody',
            {},
            answer.people.map((row) =>
              h(
                'tr',
                { 'data-owner': row.owner },
                h('th', { scope: 'row' }, row.label),
                h('td', {}, formatTime(row.time)),
                h('td', {}, formatValue(row.value)),
                h('td', {}, String(row.touches)),
                h('td', {}, String(row.keyTouches)),
                h('td', {}, row.credit === null ? '–' : formatShare(row.credit)),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      onclick: (event: Event) => {
                        for (const selected of this.people.querySelectorAll('tr.selected')) {
                          selected.classList.remove('selected')
                        }
                        ;(event.currentTarget as HTMLElement)
                          .closest('tr')
                          ?.classList.add('selected')
                        void this.showJourney(row, answer, query)
                      },
                    },
                    'Journey',
                    h('span', { class: 'visually-hidden' }, ` of ${row.label}`),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    )
  }

  private async showJourney(
    row: KeyPerson,
    people: KeyPeopleReport,
    query: DrillDownQuery,
  ): Promise<void> {
    const generation = this.generation
    this.journey.hidden = false
    setBusy(this.journey, true)
    const heading = h('h3', { id: 'journey-title', tabindex: '-1' }, `Journey of ${row.label}`)
    replace(this.journey, heading)
    heading.focus()
    try {
      const answer = await this.api.get<Journey>('/v1/reports/journey', {
        ...row.journey,
        conversion: people.conversion,
        lookbackDays: query.params.lookbackDays ?? people.lookbackDays,
      })
      if (generation !== this.generation) return
      replace(this.journey, heading, ...journeyView(answer, people.key, people.groupBy))
      heading.focus()
    } catch (error) {
      if (generation === this.generation) {
        replace(this.journey, heading, h('p', { class: 'error', role: 'alert' }, messageOf(error)))
      }
    } finally {
      if (generation === this.generation) setBusy(this.journey, false)
    }
  }
}

function touchText(touch: SummaryTouchView | null): string {
  if (!touch) return '–'
  const campaign = touch.campaign && touch.campaign !== '(not set)' ? ` · ${touch.campaign}` : ''
  return `${touch.channel}: ${touch.source} / ${touch.medium}${campaign} (${formatTime(touch.time)})`
}

function journeyView(answer: Journey, key: string, groupBy: GroupBy): HTMLElement[] {
  const s = answer.summary
  const item = (term: string, value: string) => [h('dt', {}, term), h('dd', {}, value)]
  const people = answer.level === 'account' ? (answer.account?.people.length ?? 0) : 1
  return [
    h(
      'dl',
      { class: 'summary' },
      item(
        'Converted',
        s.converted && s.conversionTime
          ? `${answer.conversion} at ${formatTime(s.conversionTime)}`
          : answer.conversion
            ? `not (${answer.conversion})`
            : '–',
      ),
      item('Value', formatValue(s.value)),
      item('First touch', touchText(s.firstTouch)),
      item('Last touch', touchText(s.lastTouch)),
      item('Sessions before', String(s.sessionsBeforeConversion)),
      item('Touches before', String(s.touchesBeforeConversion)),
      item('Days from first touch', formatDays(s.daysFromFirstTouch)),
      item('Channels', s.channels.join(' → ') || '–'),
      answer.level === 'account' ? item('People', String(people)) : [],
    ),
    h(
      'p',
      { class: 'hint' },
      `Touches in the journey (the ${answer.lookbackDays} days up to the conversion) have a blue edge; those of “${key}” are highlighted.`,
    ),
    h(
      'ol',
      { class: 'timeline' },
      answer.timeline.map((entry) => timelineItem(entry, key, groupBy, answer.level === 'account')),
    ),
  ]
}

function campaignOf(entry: { source: string; medium: string; campaign: string }): string {
  const campaign =
    entry.campaign && entry.campaign !== '(not set)' ? ` · campaign ${entry.campaign}` : ''
  return `${entry.source} / ${entry.medium}${campaign}`
}

type TouchItem = Extract<TimelineItem, { type: 'session' | 'offline_touch' }>

/** The key a touch is reported under (as the shared `groupKey`). */
function keyOfTouch(entry: TouchItem, groupBy: GroupBy): string {
  switch (groupBy) {
    case 'source_medium':
      return `${entry.source} / ${entry.medium}`
    case 'landing_page':
      return 'landingPage' in entry ? entry.landingPage : '(not set)'
    default:
      return entry[groupBy]
  }
}

function timelineItem(
  entry: TimelineItem,
  key: string,
  groupBy: GroupBy,
  showPerson: boolean,
): HTMLElement {
  let kind: string
  let title: string
  let detail = ''
  let classes = entry.type
  switch (entry.type) {
    case 'session':
      kind = 'Session'
      title = entry.channel
      detail = `${campaignOf(entry)} · landed on ${entry.landingPage}${entry.anonymousId ? ` · device ${entry.anonymousId.slice(0, 8)}…` : ''}`
      break
    case 'offline_touch':
      kind = 'Offline touch'
      title = entry.channel
      detail = campaignOf(entry)
      break
    case 'identify':
      kind = 'Identified'
      title = entry.email ?? entry.userId ?? ''
      detail = entry.userId && entry.email ? `userId ${entry.userId}` : ''
      break
    case 'group':
      kind = 'Account'
      title = entry.groupId ?? ''
      break
    case 'track':
      kind = entry.conversion ? 'Conversion' : 'Event'
      title = entry.name
      detail = entry.value > 0 ? `value ${formatValue(entry.value)}` : ''
      if (entry.conversion) classes += ' conversion'
      break
  }
  if ('inJourney' in entry) {
    classes += entry.inJourney ? ' in-journey' : ' outside'
    if (keyOfTouch(entry, groupBy) === key) classes += ' key'
  }
  return h(
    'li',
    { class: classes, 'data-type': entry.type },
    h('time', { datetime: entry.time }, formatTime(entry.time)),
    h('span', { class: 'kind' }, kind),
    h('strong', {}, title),
    detail ? h('span', { class: 'detail' }, detail) : null,
    'inJourney' in entry && !entry.inJourney
      ? h('span', { class: 'detail' }, '(outside the journey)')
      : null,
    showPerson ? h('span', { class: 'person' }, entry.person) : null,
  )
}

export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error)
}
