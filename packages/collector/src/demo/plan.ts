/**
 * A person's plan: sessions on one or two browsers, form fills, CRM stages and offline
 * touches, drawn whole from the person's own random stream, as steps in time order.
 *
 * The order of the draws is the data set: a change to it changes every person after.
 */

import { OFFLINE_TOUCH_EVENT } from '@touchline/shared'
import {
  type Company,
  companyOf,
  EMPLOYEES,
  FIRST_NAMES,
  FREE_MAIL,
  LAST_NAMES,
  LOCALES,
  USER_AGENTS,
} from './people'
import {
  between,
  chance,
  cumulative,
  exponential,
  integer,
  pick,
  type Random,
  randomStream,
  randomText,
  uuid,
  weighted,
} from './random'
import { browsePaths, channelOf, FORMS, type FormKind, type Landing, landingOf } from './site'
import { atHourOfDay, DAY, dayStart, HOUR, MINUTE, SECOND } from './time'

/** Share of people whose browser runs our SDK (the rest look like analytics.js or imports). */
const SDK_SHARE = 0.8
/** People who request a demo (before the range ends cuts some journeys). */
const DEMO_RATE = 0.062
/** People who download gated content (ebook, report) and so leave their email. */
const CONTENT_RATE = 0.1
/** Identified people who also visit from a second browser (their phone). */
const TWO_DEVICE_SHARE = 0.3
/** Identified people scanned at an event, attending a webinar or sent by a partner. */
const OFFLINE_SHARE = 0.25
const FREE_MAIL_SHARE = 0.2
/** Pages per session, 1 to 10 (mean 4; a sixth bounce). */
const PAGES_PER_SESSION = cumulative([18, 16, 15, 13, 11, 9, 7, 5, 3, 3])
/** Sessions per person, 1 to 10 (mean 4, typically 2 to 4). */
const SESSIONS_PER_PERSON = cumulative([12, 16, 18, 16, 11, 9, 7, 5, 3, 3])

export interface Device {
  anonymousId: string
  userAgent: string
  sessions: number
  firstTouch: { url: string; referrer: string; timestamp: string } | undefined
}

export interface PlannedSession {
  device: number
  id: string
  /** The session's index on its device (1, 2, 3 …). */
  index: number
  start: number
  landing: Landing
  paths: string[]
  times: number[]
}

export type Step =
  | { time: number; kind: 'page'; session: number; page: number }
  | {
      time: number
      kind: 'browser'
      session: number
      page: number
      type: 'track' | 'identify' | 'group'
      event?: string
      properties?: Record<string, unknown>
    }
  | {
      time: number
      kind: 'server'
      type: 'track' | 'identify'
      event?: string
      properties?: Record<string, unknown>
      /** Sent before the CRM knew the person: email only. */
      emailOnly?: boolean
    }

export interface Person {
  index: number
  sdk: boolean
  locale: string
  devices: Device[]
  sessions: PlannedSession[]
  email: string | undefined
  firstName: string
  lastName: string
  company: Company | undefined
  userId: string
  steps: Step[]
  /** Where the next step to emit is. */
  next: number
  /** A bit per device identified by a form fill, in what was yielded so far. */
  identifiedDevices: number
}

export interface Generation {
  seed: number
  prefix: string
  site: string
  from: number
  to: number
  companies: number
}

export function planPerson(g: Generation, index: number, arrival: number): Person {
  const random = randomStream(g.seed, index + 1)
  const sdk = chance(random, SDK_SHARE)
  const demo = chance(random, DEMO_RATE)
  const content = chance(random, CONTENT_RATE)
  const firstName = pick(random, FIRST_NAMES)
  const lastName = pick(random, LAST_NAMES)
  const tag = index.toString(36)
  const skeletons = planSkeletons(random, arrival, g.to, demo)
  const forms = planForms(random, skeletons.length, demo, content)

  const company =
    forms.kinds.size > 0 && !chance(random, FREE_MAIL_SHARE)
      ? companyOf(Math.floor(g.companies * random() ** 2))
      : undefined
  const email = `${firstName}.${lastName}.${tag}@${company ? company.domain : pick(random, FREE_MAIL)}`
  const devices = [deviceOf(random, sdk, false)]
  if (forms.twoDevices) devices.push(deviceOf(random, sdk, true))
  const person: Person = {
    index,
    sdk,
    locale: pick(random, LOCALES),
    devices,
    sessions: [],
    email: forms.kinds.size > 0 ? email : undefined,
    firstName,
    lastName,
    company,
    userId: `003${randomText(random, 6, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${tag.toUpperCase()}`,
    steps: [],
    next: 0,
    identifiedDevices: 0,
  }

  skeletons.forEach((skeleton, s) => {
    const session = planSession(g, random, person, forms, skeleton, s)
    planBrowsing(random, person, session, s)
    const form = forms.kinds.get(s)
    if (form) planFormFill(g, random, person, session, s, form, s === forms.identifiedAt)
  })
  const { demoTime, crmSince } = planCrm(random, person, forms)
  planOfflineTouches(random, person, arrival, demoTime, crmSince)

  // Time order; the steps of one moment stay in the order they were planned.
  const steps = person.steps
  steps.sort((a, b) => a.time - b.time)
  let kept = steps.length
  while (kept > 0 && (steps[kept - 1] as Step).time >= g.to) kept--
  steps.length = kept
  return person
}

/** A session's start and page times, before its pages are known. */
interface Skeleton {
  start: number
  times: number[]
}

/** The person's sessions: start and page times, cut at the end of the range. */
function planSkeletons(random: Random, arrival: number, to: number, demo: boolean): Skeleton[] {
  let count = 1 + weighted(random, SESSIONS_PER_PERSON)
  if (demo) count = Math.min(10, count + 1)
  const skeletons: Skeleton[] = []
  let start = arrival
  while (skeletons.length < count && start < to) {
    const times = pageTimes(random, start, 1 + weighted(random, PAGES_PER_SESSION))
    skeletons.push({ start, times })
    // A margin for a form fill and its thank-you page at the end of the session.
    const end = (times[times.length - 1] as number) + 10 * MINUTE
    start = nextSessionStart(random, end, skeletons.length === 1)
  }
  return skeletons
}

/** When the next session starts: days or weeks later, often on a weekday. */
function nextSessionStart(random: Random, previousEnd: number, firstGap: boolean): number {
  const gap = Math.min(35 * DAY, exponential(random, firstGap ? 4 * DAY : 6 * DAY))
  let day = dayStart(previousEnd + Math.max(3 * HOUR, gap))
  const weekday = new Date(day).getUTCDay()
  if ((weekday === 0 || weekday === 6) && chance(random, 0.6)) day += (weekday === 6 ? 2 : 1) * DAY
  const start = atHourOfDay(random, day)
  return start > previousEnd + 2 * HOUR ? start : start + DAY
}

function pageTimes(random: Random, start: number, count: number): number[] {
  const times = [start]
  for (let i = 1; i < count; i++) {
    const dwell = Math.min(20 * MINUTE, Math.max(5 * SECOND, exponential(random, 70 * SECOND)))
    times.push(Math.round((times[i - 1] as number) + dwell))
  }
  return times
}

/** Which sessions end in a form fill, and whether a second browser follows the first. */
interface FormPlan {
  /** The form filled in each session that has one, by session number. */
  kinds: Map<number, FormKind>
  /** The first session with a form fill: the person is identified from there on. */
  identifiedAt: number | undefined
  twoDevices: boolean
}

/** Form fills: content in an early session, the demo request in a later one. */
function planForms(random: Random, sessions: number, demo: boolean, content: boolean): FormPlan {
  const kinds = new Map<number, FormKind>()
  if (demo) {
    const last = sessions - 1
    kinds.set(chance(random, 0.7) || last === 0 ? last : integer(random, 1, last), 'demo')
  }
  if (content) {
    const demoAt = [...kinds.keys()][0]
    const latest = demoAt === undefined ? sessions - 1 : demoAt - 1
    if (latest >= 0) kinds.set(integer(random, 0, latest), 'content')
  }
  const identifiedAt = kinds.size > 0 ? Math.min(...kinds.keys()) : undefined
  const twoDevices =
    identifiedAt !== undefined && identifiedAt < sessions - 1 && chance(random, TWO_DEVICE_SHARE)
  // The second browser's first session identifies them too (a form on their phone).
  if (twoDevices && identifiedAt !== undefined && !kinds.has(identifiedAt + 1)) {
    kinds.set(identifiedAt + 1, 'webinar')
  }
  return { kinds, identifiedAt, twoDevices }
}

/** A browser: mostly a desktop one; the second browser is a phone. */
function deviceOf(random: Random, sdk: boolean, phone: boolean): Device {
  const anonymousId = sdk ? randomText(random, 21) : uuid(random)
  const desktop = !phone && chance(random, 0.85)
  return {
    anonymousId,
    userAgent: pick(random, desktop ? USER_AGENTS.desktop : USER_AGENTS.mobile),
    sessions: 0,
    firstTouch: undefined,
  }
}

/** A session on one of the person's browsers: how it lands, its pages, the form's pages. */
function planSession(
  g: Generation,
  random: Random,
  person: Person,
  forms: FormPlan,
  skeleton: Skeleton,
  s: number,
): PlannedSession {
  const { identifiedAt, twoDevices } = forms
  const identified = identifiedAt !== undefined && s > identifiedAt
  // The second browser's first session follows the first form fill; then now and then.
  let device = 0
  if (twoDevices && identifiedAt !== undefined && s > identifiedAt) {
    device = s === identifiedAt + 1 || chance(random, 0.4) ? 1 : 0
  }
  const landing = landingOf(
    random,
    channelOf(random, s === 0 ? 'first' : identified ? 'identified' : 'anonymous'),
  )
  const times = [...skeleton.times]
  const paths = browsePaths(random, landing.path, times.length)
  const form = forms.kinds.get(s)
  if (form) {
    const formPath = FORMS[form].path
    if (paths[paths.length - 1] !== formPath) {
      paths.push(formPath)
      times.push(
        (times[times.length - 1] as number) + Math.round(between(random, 15, 120) * SECOND),
      )
    }
    paths.push('/thank-you')
    times.push((times[times.length - 1] as number) + Math.round(between(random, 40, 180) * SECOND))
  }
  const owner = person.devices[device] as Device
  owner.sessions++
  const session: PlannedSession = {
    device,
    id: randomText(random, 21),
    index: owner.sessions,
    start: skeleton.start,
    landing,
    paths,
    times,
  }
  owner.firstTouch ??= {
    url: `${g.site}${landing.path}${landing.search}`,
    referrer: landing.referrer,
    timestamp: new Date(skeleton.start).toISOString(),
  }
  person.sessions.push(session)
  return session
}

/** The session's page views, and now and then a click or a video between them. */
function planBrowsing(random: Random, person: Person, session: PlannedSession, s: number): void {
  const { paths, times } = session
  const steps = person.steps
  times.forEach((time, page) => {
    steps.push({ time, kind: 'page', session: s, page })
  })
  const clickAt = integer(random, 0, paths.length - 1)
  if (chance(random, 0.1)) {
    steps.push({
      time: (times[clickAt] as number) + integer(random, 2, 30) * SECOND,
      kind: 'browser',
      session: s,
      page: clickAt,
      type: 'track',
      event: 'cta_click',
      properties: { label: pick(random, ['Book a demo', 'See pricing', 'Read the case study']) },
    })
  }
  const productPage = paths.findIndex((path) => path.startsWith('/product'))
  if (productPage >= 0 && chance(random, 0.15)) {
    steps.push({
      time: (times[productPage] as number) + integer(random, 5, 40) * SECOND,
      kind: 'browser',
      session: s,
      page: productPage,
      type: 'track',
      event: 'video_play',
      properties: { video: 'product-tour', duration: 94 },
    })
  }
}

/**
 * The form fill that ends the session: identify, form_submit, a demo request's own event,
 * and a `group` call where the account sends them (at the first fill).
 */
function planFormFill(
  g: Generation,
  random: Random,
  person: Person,
  session: PlannedSession,
  s: number,
  form: FormKind,
  first: boolean,
): void {
  const spec = FORMS[form]
  const { company, steps } = person
  // The form's page, just before the thank-you page.
  const formPage = session.paths.length - 2
  const submitted = (session.times[formPage] as number) + integer(random, 20, 90) * SECOND
  const on = { kind: 'browser', session: s, page: formPage } as const
  const formAction = `${g.site}${spec.path}`
  steps.push({ ...on, time: submitted, type: 'identify' })
  steps.push({
    ...on,
    time: submitted + 20,
    type: 'track',
    event: 'form_submit',
    properties: { formId: spec.formId, formName: spec.formName, formAction },
  })
  if (form === 'demo') {
    steps.push({
      ...on,
      time: submitted + 150,
      type: 'track',
      event: 'demo_request',
      properties: {
        formId: spec.formId,
        companySize: company ? EMPLOYEES[company.index % EMPLOYEES.length] : '1-10',
        interest: pick(random, ['attribution', 'reporting', 'integrations']),
      },
    })
  }
  if (company?.grouped && first) {
    steps.push({ ...on, time: submitted + 400, type: 'group' })
  }
}

/** When the session with the first form of this kind ended. */
function formTime(person: Person, forms: FormPlan, kind: FormKind): number | undefined {
  for (const [s, form] of forms.kinds) {
    if (form === kind) {
      const session = person.sessions[s]
      return session ? (session.times[session.times.length - 1] as number) : undefined
    }
  }
  return undefined
}

/**
 * The CRM: stages from the demo request (or from content scoring), each with drop-off; an
 * identify from the CRM when it first knows the person (`crmSince`).
 */
function planCrm(
  random: Random,
  person: Person,
  forms: FormPlan,
): { demoTime: number | undefined; crmSince: number | undefined } {
  const demoTime = formTime(person, forms, 'demo')
  const contentTime = formTime(person, forms, 'content')
  let stageTime: number | undefined
  let probabilities: readonly number[] = []
  if (demoTime !== undefined) {
    stageTime = demoTime + between(random, 1, 36) * HOUR
    probabilities = [0.8, 0.6, 0.6, 0.35]
  } else if (contentTime !== undefined) {
    stageTime = contentTime + between(random, 2, 7) * DAY
    probabilities = [0.08, 0.35, 0.45, 0.3]
  }
  let crmSince: number | undefined
  if (stageTime === undefined) return { demoTime, crmSince }
  const gaps = [
    0,
    between(random, 1, 10) * DAY,
    between(random, 2, 14) * DAY,
    between(random, 14, 75) * DAY,
  ]
  const amount = Math.round(between(random, 6, 120) * (person.company ? 1 : 0.3)) * 1000
  const stages = ['mql', 'sql', 'opportunity_created', 'closed_won'] as const
  let time = stageTime
  for (let i = 0; i < stages.length; i++) {
    if (!chance(random, probabilities[i] ?? 0)) break
    time = Math.round(time + (gaps[i] ?? 0))
    const stage = stages[i] as (typeof stages)[number]
    if (i === 0) {
      crmSince = time - MINUTE
      person.steps.push({ time: crmSince, kind: 'server', type: 'identify' })
    }
    const properties: Record<string, unknown> = { stage }
    if (stage === 'opportunity_created') properties.value = amount
    if (stage === 'closed_won')
      properties.revenue = Math.round((amount * between(random, 0.8, 1.1)) / 100) * 100
    person.steps.push({ time, kind: 'server', type: 'track', event: stage, properties })
  }
  return { demoTime, crmSince }
}

/**
 * Offline touches: a trade-show scan, a webinar attended, a partner's referral, within a
 * week of the demo request (or of the last session). Sent with the email only while the CRM
 * does not know the person yet.
 */
function planOfflineTouches(
  random: Random,
  person: Person,
  arrival: number,
  demoTime: number | undefined,
  crmSince: number | undefined,
): void {
  if (!person.email || !chance(random, OFFLINE_SHARE)) return
  const touches = chance(random, 0.2) ? 2 : 1
  const last = person.sessions[person.sessions.length - 1]
  const latest = Math.max(
    arrival + HOUR,
    (demoTime ?? (last ? (last.times[last.times.length - 1] as number) : arrival)) + 7 * DAY,
  )
  for (let i = 0; i < touches; i++) {
    const time = Math.round(between(random, arrival + HOUR, latest))
    person.steps.push({
      time,
      kind: 'server',
      type: 'track',
      event: OFFLINE_TOUCH_EVENT,
      properties: offlineTouch(random),
      ...(crmSince === undefined || time < crmSince ? { emailOnly: true } : {}),
    })
  }
}

/** Where an offline touch came from, as a CRM records it. */
function offlineTouch(random: Random): Record<string, unknown> {
  const kind = random()
  if (kind < 0.4) {
    return {
      channel: 'Events',
      source: pick(random, ['saastr-europa', 'b2b-marketing-expo', 'martech-summit']),
      medium: 'event',
      campaign: 'booth-scan-2026',
    }
  }
  if (kind < 0.8) {
    return {
      channel: 'Webinar',
      source: pick(random, ['zoom', 'on24']),
      medium: 'webinar',
      campaign: pick(random, ['attribution-101', 'pipeline-reporting-live']),
    }
  }
  return {
    channel: 'Partner',
    source: pick(random, ['growth-agency', 'reseller-emea']),
    medium: 'partner',
    campaign: 'co-marketing-2026',
  }
}
