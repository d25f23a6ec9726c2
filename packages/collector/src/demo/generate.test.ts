import { arrivalKey, type Hit, sessionStarts } from '@touchline/shared'
import { parseEvent } from '@touchline/shared/schema'
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/test-app'
import {
  type DemoEvent,
  type DemoOptions,
  demoPeople,
  EVENTS_PER_PERSON,
  generateDemo,
  generateDemoEvents,
} from './generate'

const RANGE = { from: '2026-05-01', to: '2026-11-01' } satisfies Partial<DemoOptions>
const FROM = Date.parse(RANGE.from)
const TO = Date.parse(RANGE.to)
const STAGES = ['demo_request', 'mql', 'sql', 'opportunity_created', 'closed_won']

// One sample large enough for proportions: about 50,000 events.
const { events, summary } = generateDemo({ ...RANGE, people: 3_000, seed: 7 })

const count = (predicate: (event: DemoEvent) => boolean, list = events) =>
  list.filter(predicate).length

describe('generateDemoEvents', () => {
  it('gives the same events, message IDs included, for the same seed', () => {
    const options = { ...RANGE, people: 300, seed: 'acme' }
    const first = generateDemo(options)
    expect(first.events.length).toBeGreaterThan(1_000)
    expect(generateDemo(options)).toEqual(first)
    // A seed's digits, as a command line gives them, are that number.
    expect(generateDemo({ ...RANGE, people: 20, seed: '42' })).toEqual(
      generateDemo({ ...RANGE, people: 20, seed: 42 }),
    )
  })

  it('gives other events for another seed', () => {
    const a = generateDemo({ ...RANGE, people: 300, seed: 1 }).events
    const b = generateDemo({ ...RANGE, people: 300, seed: 2 }).events
    const ids = new Set(a.map((event) => event.messageId))
    expect(b.some((event) => ids.has(event.messageId))).toBe(false)
    const anonymousIds = new Set(a.map((event) => event.anonymousId).filter(Boolean))
    expect(b.some((event) => anonymousIds.has(event.anonymousId))).toBe(false)
    expect(b.map((event) => event.timestamp)).not.toEqual(a.map((event) => event.timestamp))
  })

  it('yields events in time order, inside the range', () => {
    const times = events.map((event) => Date.parse(event.timestamp))
    expect(times.findIndex((time, i) => i > 0 && time < (times[i - 1] as number))).toBe(-1)
    expect(times[0]).toBeGreaterThanOrEqual(FROM)
    expect(times[times.length - 1]).toBeLessThan(TO)
    expect(summary.first).toBe(events[0]?.timestamp)
    expect(summary.last).toBe(events[events.length - 1]?.timestamp)
  })

  it('yields only events that pass the ingestion schema, with unique message IDs', () => {
    const errors = events.flatMap((event, index) => {
      const parsed = parseEvent(event)
      return parsed.ok ? [] : [`${index}: ${parsed.error}`]
    })
    expect(errors).toEqual([])
    expect(new Set(events.map((event) => event.messageId)).size).toBe(events.length)
  })

  it('summarises what it yielded', () => {
    expect(summary.events).toBe(events.length)
    for (const type of ['page', 'track', 'identify', 'group'] as const) {
      expect(summary.byType[type]).toBe(count((event) => event.type === type))
    }
    const names = new Set(events.map((event) => event.event).filter(Boolean))
    for (const name of names) {
      expect(summary.byTrackEvent[name as string]).toBe(count((event) => event.event === name))
    }
    const sdkSessions = new Set(events.map((event) => event.context.session?.id).filter(Boolean))
    expect(summary.sessions - summary.sessionsWithoutSdkContext).toBe(sdkSessions.size)
    const devices = new Set(events.map((event) => event.anonymousId).filter(Boolean))
    expect(summary.devices).toBe(devices.size)
    expect(summary.people).toBe(3_000)
  })

  it('keeps the proportions of a B2B marketing site', () => {
    const perPerson = summary.sessions / summary.people
    const perSession = summary.events / summary.sessions
    expect(perPerson).toBeGreaterThan(3.4)
    expect(perPerson).toBeLessThan(4.5)
    expect(perSession).toBeGreaterThan(3.8)
    expect(perSession).toBeLessThan(5.2)
    expect(summary.events / summary.people).toBeGreaterThan(EVENTS_PER_PERSON * 0.9)
    expect(summary.events / summary.people).toBeLessThan(EVENTS_PER_PERSON * 1.1)
    const demoRate = (summary.byTrackEvent.demo_request ?? 0) / summary.people
    expect(demoRate).toBeGreaterThan(0.045)
    expect(demoRate).toBeLessThan(0.08)
    // The pipeline narrows at every stage.
    const funnel = STAGES.map((stage) => summary.byTrackEvent[stage] ?? 0)
    funnel.slice(1).forEach((stage, i) => {
      expect(stage).toBeLessThan(funnel[i] as number)
    })
    expect(funnel[4]).toBeGreaterThan(0)
    const withoutSdk = summary.sessionsWithoutSdkContext / summary.sessions
    expect(withoutSdk).toBeGreaterThan(0.1)
    expect(withoutSdk).toBeLessThan(0.3)
    expect(summary.byType.page / summary.events).toBeGreaterThan(0.8)
  })

  it('has the sessions that the shared session rules find, with or without context.session', () => {
    const byDevice = new Map<string, { hits: Hit[]; ids: (string | undefined)[] }>()
    for (const event of events) {
      const page = event.context.page
      if (!event.anonymousId || !page) continue
      const device = byDevice.get(event.anonymousId) ?? { hits: [], ids: [] }
      byDevice.set(event.anonymousId, device)
      const input = { url: page.url, referrer: page.referrer, campaign: event.context.campaign }
      device.hits.push({ time: Date.parse(event.timestamp), arrival: arrivalKey(input) })
      device.ids.push(event.context.session?.id)
    }
    let sessions = 0
    for (const { hits, ids } of byDevice.values()) {
      const starts = sessionStarts(hits)
      sessions += starts.length
      if (ids[0] !== undefined) {
        expect(starts).toEqual(ids.flatMap((id, i) => (i === 0 || id !== ids[i - 1] ? [i] : [])))
      }
    }
    expect(sessions).toBe(summary.sessions)
  })

  it('has sessions arriving from every kind of channel', () => {
    const landings = events.filter(
      (event) => event.type === 'page' && event.context.page?.search !== '',
    )
    const mediums = new Set(landings.map((event) => event.context.campaign?.medium))
    expect([...mediums].sort()).toEqual(['cpc', 'cpm', 'display', 'email', 'paid_social'])
    const urls = landings.map((event) => event.context.page?.url ?? '')
    expect(urls.some((url) => url.includes('gclid='))).toBe(true)
    expect(urls.some((url) => url.includes('fbclid='))).toBe(true)
    const referrers = new Set(events.map((event) => event.context.page?.referrer))
    for (const referrer of [
      'https://www.google.com/',
      'https://www.linkedin.com/',
      'https://t.co/',
    ]) {
      expect(referrers.has(referrer)).toBe(true)
    }
    expect(referrers.has('')).toBe(true) // direct and email arrivals
    expect([...referrers].some((referrer) => referrer?.startsWith('https://www.g2.com/'))).toBe(
      true,
    )
  })

  it('identifies people by form fills, on both browsers of two-device people', () => {
    const identifies = events.filter((event) => event.type === 'identify' && event.anonymousId)
    const browsersByEmail = new Map<string, Set<string>>()
    for (const event of identifies) {
      const email = event.traits?.email as string
      browsersByEmail.set(
        email,
        (browsersByEmail.get(email) ?? new Set()).add(event.anonymousId as string),
      )
      const next = events[events.indexOf(event) + 1]
      expect(next).toMatchObject({
        type: 'track',
        event: 'form_submit',
        anonymousId: event.anonymousId,
      })
    }
    expect(browsersByEmail.size).toBe(summary.identifiedPeople)
    const twoBrowsers = [...browsersByEmail.values()].filter((ids) => ids.size === 2).length
    expect(twoBrowsers).toBe(summary.twoDevicePeople)
    expect(twoBrowsers).toBeGreaterThan(0)
    expect([...browsersByEmail.values()].every((ids) => ids.size <= 2)).toBe(true)
    const emails = [...browsersByEmail.keys()]
    const freeMail = emails.filter((email) => /@(gmail|outlook|yahoo|hotmail)\.com$/.test(email))
    expect(freeMail.length / emails.length).toBeGreaterThan(0.1)
    expect(freeMail.length / emails.length).toBeLessThan(0.3)
    expect(emails.some((email) => email.endsWith('-corp.com'))).toBe(true)
  })

  it('sends CRM stages and offline touches from a server: a userId and/or traits.email, no anonymous ID', () => {
    const server = events.filter((event) => !event.anonymousId)
    expect(server.length).toBeGreaterThan(0)
    for (const event of server) {
      expect(event.context.page).toBeUndefined()
      expect(event.context.session).toBeUndefined()
      expect(event.traits?.email).toMatch(/@/)
      if (event.event !== 'touch') expect(event.userId).toMatch(/^003/)
    }
    const stages = server.filter((event) => STAGES.includes(event.event ?? ''))
    expect(stages.length).toBe(
      STAGES.slice(1).reduce((sum, stage) => sum + (summary.byTrackEvent[stage] ?? 0), 0),
    )
    for (const won of stages.filter((event) => event.event === 'closed_won')) {
      expect(won.properties?.revenue).toBeGreaterThan(0)
    }
    const touches = server.filter((event) => event.event === 'touch')
    expect(new Set(touches.map((event) => event.properties?.channel))).toEqual(
      new Set(['Events', 'Webinar', 'Partner']),
    )
  })

  it('groups some accounts, with several contacts', () => {
    const contacts = new Map<string, Set<string>>()
    for (const event of events) {
      if (event.type !== 'group') continue
      contacts.set(
        event.groupId as string,
        (contacts.get(event.groupId as string) ?? new Set()).add(event.anonymousId as string),
      )
      expect(event.traits?.domain).toMatch(/\.com$/)
    }
    expect(contacts.size).toBe(summary.groupedAccounts)
    expect(summary.groupedAccounts).toBeLessThan(summary.accounts)
    expect([...contacts.values()].some((ids) => ids.size >= 3)).toBe(true)
  })

  it('sizes the data set from a target number of events', () => {
    expect(demoPeople({ events: 1_000_000 })).toBe(Math.round(1_000_000 / EVENTS_PER_PERSON))
    const sized = generateDemo({ ...RANGE, events: 20_000, seed: 5 }).summary
    expect(sized.events).toBeGreaterThan(18_000)
    expect(sized.events).toBeLessThan(22_000)
  })

  it('refuses a range or a size that makes no data set', () => {
    expect(() => generateDemo({ from: RANGE.to, to: RANGE.from, people: 10 })).toThrow(
      '"from" must be before "to"',
    )
    expect(() => generateDemo({ ...RANGE })).toThrow('give a number of people')
    expect(() => generateDemoEvents({ ...RANGE, people: 1, from: 'soon' }).next()).toThrow(
      '"from" is not a date',
    )
  })

  it('is accepted whole by the collector, and its demo requests are counted by reports', async () => {
    const small = generateDemo({ ...RANGE, people: 400, seed: 11 })
    const { post, secretKey, rows, app } = await createTestApp()
    const headers = { authorization: `Bearer ${secretKey}` }
    for (let i = 0; i < small.events.length; i += 200) {
      const res = await post('/v1/batch', { batch: small.events.slice(i, i + 200) }, { headers })
      expect(await res.json()).toMatchObject({ rejected: [] })
    }
    expect(rows('SELECT count(*) AS n FROM events')).toEqual([{ n: small.summary.events }])
    const res = await app.request(
      `/v1/reports/attribution?conversion=demo_request&from=${RANGE.from}&to=${RANGE.to}`,
      { headers },
    )
    const report = (await res.json()) as { totals: { conversions: number } }
    expect(report.totals.conversions).toBe(small.summary.byTrackEvent.demo_request)
  })
})
