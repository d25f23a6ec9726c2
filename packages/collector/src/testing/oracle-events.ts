import { DAY, type Event, identify, inSession, MIN, T0, track, visit } from './journeys'

/**
 * The oracle tests' people (reports/engine.test.ts, reports/restart.test.ts): journeys that
 * exercise what incremental and stored derivations must get right.
 */
export const SITE = 'https://acme.test/'

/** Events of a few people: two devices, a shared kiosk, offline touches, an account. */
export const ORACLE_EVENTS: Event[] = [
  visit('a1', 'ada-laptop', T0, `${SITE}?utm_source=linkedin&utm_medium=paid_social`),
  identify('a2', T0 + MIN, { anonymousId: 'ada-laptop' }, 'ada@acme.com'),
  visit('a3', 'ada-phone', T0 + DAY, `${SITE}?utm_source=google&utm_medium=cpc`),
  identify('a4', T0 + DAY + MIN, { anonymousId: 'ada-phone' }, 'ada@acme.com'),
  track('a5', T0 + 2 * DAY, {}, 'touch', {
    traits: { email: 'ada@acme.com' },
    properties: { channel: 'Events', source: 'saastr' },
  }),
  visit('a6', 'ada-phone', T0 + 3 * DAY, SITE),
  track('a7', T0 + 4 * DAY, { anonymousId: 'ada-laptop' }, 'demo_request', {
    properties: { value: 100 },
  }),
  visit('b1', 'bob', T0 + DAY, `${SITE}?utm_source=newsletter&utm_medium=email`),
  identify('b2', T0 + DAY + MIN, { anonymousId: 'bob' }, 'bob@acme.com'),
  visit('b3', 'bob', T0 + 5 * DAY, `${SITE}?utm_source=bing&utm_medium=cpc`),
  track('b4', T0 + 5 * DAY + MIN, { anonymousId: 'bob' }, 'demo_request'),
  visit('k1', 'kiosk', T0, `${SITE}?utm_source=twitter`, inSession('s1', T0)),
  identify('k2', T0 + MIN, { anonymousId: 'kiosk' }, 'kim@kilo.com', inSession('s1', T0)),
  visit('k3', 'kiosk', T0 + 2 * DAY, `${SITE}?utm_source=reddit`, inSession('s2', T0 + 2 * DAY)),
  identify(
    'k4',
    T0 + 2 * DAY + MIN,
    { anonymousId: 'kiosk' },
    'lee@lima.com',
    inSession('s2', T0 + 2 * DAY),
  ),
  track('k5', T0 + 2 * DAY + 2 * MIN, { anonymousId: 'kiosk' }, 'touch', {
    properties: { channel: 'Partner' },
    ...inSession('s2', T0 + 2 * DAY),
  }),
  track('k6', T0 + 3 * DAY, {}, 'demo_request', { traits: { email: 'kim@kilo.com' } }),
  track('k7', T0 + 3 * DAY, {}, 'demo_request', { traits: { email: 'lee@lima.com' } }),
  // After identify, the SDK names the visitor on every event: nothing new, unless earlier.
  { ...visit('a8', 'ada-laptop', T0 + 3 * DAY, SITE), traits: { email: 'ada@acme.com' } },
  { ...visit('a0', 'ada-laptop', T0 - DAY, `${SITE}?utm_source=bing`), userId: 'ada-1' },
  // An offline touch of an email that a later identify joins to a userId: the person's key
  // changes (email: → user:), and the touch must follow it.
  track('e1', T0 + DAY, {}, 'touch', {
    traits: { email: 'dan@delta.com' },
    properties: { channel: 'Events', source: 'webinar' },
  }),
  identify('e2', T0 + 2 * DAY, { userId: 'dan-7' }, 'dan@delta.com'),
  track('e3', T0 + 3 * DAY, { userId: 'dan-7' }, 'demo_request'),
  visit('c1', 'cy', T0, `${SITE}?utm_source=google&utm_medium=cpc`),
  visit('c2', 'cy', T0 + DAY, SITE),
]
