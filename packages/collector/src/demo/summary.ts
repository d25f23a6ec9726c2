/** The summary of what the generator yielded: counts of events, people, sessions, accounts. */

import type { Person, PlannedSession, Step } from './plan'
import type { DemoEvent, DemoSummary } from './types'

export class SummaryCounter {
  private readonly summary: DemoSummary = {
    events: 0,
    byType: { page: 0, track: 0, identify: 0, group: 0 },
    byTrackEvent: {},
    people: 0,
    sessions: 0,
    sessionsWithoutSdkContext: 0,
    devices: 0,
    twoDevicePeople: 0,
    identifiedPeople: 0,
    accounts: 0,
    groupedAccounts: 0,
    first: undefined,
    last: undefined,
  }
  private readonly accounts = new Set<number>()
  private readonly groupedAccounts = new Set<number>()

  /** Counts `event`, made of the `position`-th step of the person's plan. */
  count(person: Person, step: Step, position: number, event: DemoEvent): void {
    const summary = this.summary
    if (position === 0) summary.people++
    summary.events++
    summary.byType[event.type]++
    if (event.type === 'track') {
      const name = event.event as string
      summary.byTrackEvent[name] = (summary.byTrackEvent[name] ?? 0) + 1
    }
    if (step.kind === 'page' && step.page === 0) {
      summary.sessions++
      if (!person.sdk) summary.sessionsWithoutSdkContext++
      if ((person.sessions[step.session] as PlannedSession).index === 1) summary.devices++
    }
    if (event.type === 'identify' && step.kind === 'browser') {
      const device = 1 << (person.sessions[step.session] as PlannedSession).device
      if (person.identifiedDevices === 0) {
        summary.identifiedPeople++
        if (person.company) this.accounts.add(person.company.index)
      }
      if ((person.identifiedDevices & device) === 0) {
        person.identifiedDevices |= device
        if (person.identifiedDevices === 0b11) summary.twoDevicePeople++
      }
    }
    if (event.type === 'group' && person.company) this.groupedAccounts.add(person.company.index)
    summary.first ??= event.timestamp
    summary.last = event.timestamp
  }

  result(): DemoSummary {
    return {
      ...this.summary,
      accounts: this.accounts.size,
      groupedAccounts: this.groupedAccounts.size,
    }
  }
}
