/** A planned step as the Segment event the SDK, analytics.js or the CRM sync sends. */

import { type Company, EMPLOYEES, INDUSTRIES, TITLES } from './people'
import type { Device, Generation, Person, PlannedSession, Step } from './plan'
import { PAGE_TITLES } from './site'
import type { DemoContext, DemoEvent } from './types'

const SDK_LIBRARY = { name: 'touchline.js', version: '0.1.0' }
const LEGACY_LIBRARY = { name: 'analytics.js', version: 'next-1.74.0' }
const CRM_LIBRARY = { name: 'crm-sync', version: '2.3.1' }

function iso(time: number): string {
  return new Date(time).toISOString()
}

function browserContext(
  g: Generation,
  person: Person,
  session: PlannedSession,
  page: number,
): DemoContext {
  const device = person.devices[session.device] as Device
  const path = session.paths[page] as string
  const landing = page === 0
  const url = landing ? `${g.site}${path}${session.landing.search}` : `${g.site}${path}`
  const previous = session.paths[page - 1]
  const referrer = landing
    ? session.landing.referrer
    : `${g.site}${previous}${page === 1 ? session.landing.search : ''}`
  const context: DemoContext = {
    library: person.sdk ? SDK_LIBRARY : LEGACY_LIBRARY,
    page: {
      url,
      path,
      referrer,
      title: PAGE_TITLES[path] ?? '',
      search: landing ? session.landing.search : '',
    },
  }
  if (landing && session.landing.campaign) context.campaign = session.landing.campaign
  context.userAgent = device.userAgent
  context.locale = person.locale
  if (person.sdk) {
    context.session = { id: session.id, index: session.index, start: iso(session.start) }
    if (device.firstTouch) context.firstTouch = device.firstTouch
  }
  return context
}

export function eventOf(g: Generation, person: Person, step: Step, position: number): DemoEvent {
  const messageId = `${g.prefix}-${person.index.toString(36)}-${position.toString(36)}`
  const timestamp = iso(step.time)
  if (step.kind === 'server') {
    const email = person.email as string
    const event: DemoEvent = {
      type: step.type,
      messageId,
      timestamp,
      ...(step.emailOnly ? {} : { userId: person.userId }),
      context: { library: CRM_LIBRARY },
    }
    if (step.type === 'identify') {
      event.traits = {
        email,
        firstName: capitalise(person.firstName),
        lastName: capitalise(person.lastName),
        title: TITLES[person.index % TITLES.length],
        ...(person.company ? { company: person.company.name } : {}),
      }
    } else {
      event.event = step.event as string
      event.properties = step.properties ?? {}
      event.traits = { email }
    }
    return event
  }
  const session = person.sessions[step.session] as PlannedSession
  const device = person.devices[session.device] as Device
  const base = {
    messageId,
    anonymousId: device.anonymousId,
    timestamp,
    context: browserContext(g, person, session, step.page),
  }
  if (step.kind === 'page') {
    const path = session.paths[step.page] as string
    return { type: 'page', ...base, properties: { path, title: PAGE_TITLES[path] ?? '' } }
  }
  switch (step.type) {
    case 'identify':
      return {
        type: 'identify',
        ...base,
        // Our SDK sends the email found in the form; analytics.js sites send more traits.
        traits: person.sdk
          ? { email: person.email }
          : {
              email: person.email,
              firstName: capitalise(person.firstName),
              lastName: capitalise(person.lastName),
            },
      }
    case 'group': {
      const company = person.company as Company
      return {
        type: 'group',
        ...base,
        groupId: `acct_${company.index.toString(36).padStart(5, '0')}`,
        traits: {
          name: company.name,
          domain: company.domain,
          industry: INDUSTRIES[company.index % INDUSTRIES.length],
          employees: EMPLOYEES[company.index % EMPLOYEES.length],
        },
      }
    }
    case 'track':
      return {
        type: 'track',
        ...base,
        event: step.event as string,
        properties: step.properties ?? {},
      }
  }
}

function capitalise(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}
