import { retryDelay } from '@touchline/shared'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { byteLength, MAX_BODY_BYTES } from './encode'
import { OUTBOX_KEY } from './outbox'
import type { Answer, Platform } from './platform'
import {
  createTransport,
  FLUSH_DELAY_MS,
  isRetryable,
  MAX_QUEUED,
  type Transport,
} from './transport'

/**
 * The transport's rules against a fake network, clock and storage (its `Platform`): a
 * discrete-event world where each request gets the next scripted answer after its latency,
 * and a page that is left never sees the answers of its requests (the server may still
 * have stored them).
 */

const WRITE_KEY = 'wk_test'
const API = 'https://collector.test'
const START = Date.parse('2025-01-02T03:04:05.000Z')

type TestEvent = { messageId: string; type: 'track'; pad: string }

/** A scripted answer: status 0 is a network error. */
interface Outcome {
  status: number
  /** Seconds; `date` sends them as an HTTP date. */
  retryAfter?: { seconds: number; date: boolean } | 'soon' | undefined
  latency: number
}

const OK: Outcome = { status: 200, latency: 10 }

interface Request {
  page: Page
  at: number
  ids: string[]
  beacon: boolean
  /** Its answer reached the page that sent it. */
  answered: boolean
}

interface Page {
  alive: boolean
  hidden: boolean
  flush: (leaving?: boolean) => void
  transport: Transport
  /** The model of the transport's retry state. */
  attempt: number
  notBefore: number
  /** A retryable answer was handled: order and the 1 s latency are no longer promised. */
  failed: boolean
  /** What this page owns, in the order it got it: the outbox taken over, then its events. */
  owned: string[]
  sent: Set<string>
}

interface Pending {
  at: number
  seq: number
  page: Page
  run: () => void
}

class World {
  now = START
  readonly storage = new Map<string, string>()
  readonly requests: Request[] = []
  /** 2xx deliveries (and beacons received) per messageId. */
  readonly delivered = new Map<string, number>()
  /** Events whose request a page saw refused (4xx): they are final. */
  readonly dropped = new Set<string>()
  readonly tracked = new Map<string, { at: number; event: TestEvent }>()
  /** What the platform saw go wrong: the transport swallows what its platform throws. */
  readonly violations: string[] = []
  private readonly pending: Pending[] = []
  private seq = 0
  private outcome = 0
  private random = 0
  page: Page
  settling = false

  constructor(
    private readonly outcomes: readonly Outcome[],
    private readonly randoms: readonly number[],
    private readonly beaconsArrive: boolean,
    readonly storageWorks = true,
  ) {
    this.page = this.load()
  }

  /** A page load: a new transport over the same storage. */
  load(): Page {
    const owned = this.storedIds()
    const page = {
      alive: true,
      hidden: false,
      attempt: 0,
      notBefore: 0,
      failed: false,
      owned,
      sent: new Set(),
    } as unknown as Page
    for (const id of owned) {
      const tracked = this.tracked.get(id)
      if (tracked) tracked.at = this.now
    }
    page.transport = createTransport(API, WRITE_KEY, this.platform(page))
    this.page = page
    return page
  }

  storedIds(): string[] {
    const stored = this.storage.get(OUTBOX_KEY)
    return stored ? (JSON.parse(stored) as TestEvent[]).map((event) => event.messageId) : []
  }

  track(pad: number): void {
    const messageId = `m${this.tracked.size}`
    const event: TestEvent = { messageId, type: 'track', pad: 'x'.repeat(pad) }
    this.tracked.set(messageId, { at: this.now, event })
    this.page.owned.push(messageId)
    this.page.transport._enqueue(event)
  }

  /** The page is left: `pagehide`, answers due now, then it never runs again. */
  async leave(): Promise<void> {
    this.page.flush(true)
    await this.advance(0)
    this.page.alive = false
  }

  /** Runs the timers and answers due within `ms`, in time order. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms
    for (;;) {
      await settle()
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.pending[0]
      if (!next || next.at > target) break
      this.pending.shift()
      this.checkLatency(next.at)
      this.now = next.at
      if (next.page.alive) next.run()
    }
    this.checkLatency(target)
    this.now = target
    expect(this.violations).toEqual([])
  }

  /** Everything answers 2xx from now on; runs until nothing is left to do. */
  async settle(): Promise<void> {
    this.settling = true
    for (let round = 0; round < 100 && this.pending.some((p) => p.page.alive); round++) {
      await this.advance(60_000)
    }
  }

  check(ok: boolean, violation: string): void {
    if (!ok) this.violations.push(`${this.now - START} ms: ${violation}`)
  }

  private schedule(at: number, page: Page, run: () => void): void {
    this.pending.push({ at, seq: this.seq++, page, run })
  }

  /** Without a failure, nothing a page owns waits more than the flush delay; none if hidden. */
  private checkLatency(time: number): void {
    const page = this.page
    if (!page.alive || page.failed) return
    for (const id of page.owned) {
      if (page.sent.has(id) || this.dropped.has(id)) continue
      const at = this.tracked.get(id)?.at ?? this.now
      expect(time - at, `${id} waited`).toBeLessThanOrEqual(page.hidden ? 0 : FLUSH_DELAY_MS)
    }
  }

  private nextOutcome(): Outcome {
    if (this.settling) return OK
    return this.outcomes[this.outcome++] ?? OK
  }

  private platform(page: Page): Platform {
    return {
      _post: (url, body) => {
        this.check(url === `${API}/v1/batch`, `posted to ${url}`)
        const request = this.receive(page, body, false)
        const outcome = this.nextOutcome()
        if (outcome.status >= 200 && outcome.status < 300) this.deliver(request.ids)
        return new Promise<Answer>((resolve, reject) => {
          this.schedule(this.now + outcome.latency, page, () => {
            request.answered = true
            // A network error has no headers.
            const header = outcome.status ? this.retryAfter(outcome) : null
            this.handled(page, request, outcome.status, header)
            if (outcome.status === 0) reject(new TypeError('Failed to fetch'))
            else resolve({ status: outcome.status, headers: { get: () => header } })
          })
        })
      },
      _beacon: (_url, body) => {
        const request = this.receive(page, body, true)
        if (this.beaconsArrive) this.deliver(request.ids)
      },
      _hidden: () => page.hidden,
      _onHide: (flush) => {
        page.flush = flush
      },
      _now: () => this.now,
      _random: () => this.randoms[this.random++ % this.randoms.length] ?? 0,
      _timer: (callback, ms) => {
        this.check(ms >= 0, `a timer of ${ms} ms`)
        this.schedule(this.now + ms, page, callback)
        return this.seq
      },
      _get: (key) => (this.storageWorks ? (this.storage.get(key) ?? null) : null),
      _set: (key, value) => {
        if (!this.storageWorks) return
        if (value === null) this.storage.delete(key)
        else this.storage.set(key, value)
      },
    }
  }

  private retryAfter(outcome: Outcome): string | null {
    const retryAfter = outcome.retryAfter
    if (retryAfter === undefined) return null
    if (retryAfter === 'soon') return retryAfter
    return retryAfter.date
      ? new Date(this.now + retryAfter.seconds * 1000).toUTCString()
      : String(retryAfter.seconds)
  }

  /**
   * The model of what the page does with an answer it is given: the retry state, and the
   * jitter its next `_random()` call will take.
   */
  private handled(page: Page, request: Request, status: number, header: string | null): void {
    if (isRetryable(status)) {
      const random = this.randoms[this.random % this.randoms.length] ?? 0
      page.failed = true
      page.attempt++
      page.notBefore = Math.max(
        page.notBefore,
        this.now + retryDelay(page.attempt, header, this.now, random),
      )
    } else {
      page.attempt = 0
      if (status >= 400) for (const id of request.ids) this.dropped.add(id)
    }
  }

  private deliver(ids: readonly string[]): void {
    for (const id of ids) this.delivered.set(id, (this.delivered.get(id) ?? 0) + 1)
  }

  /** Checks a request as the collector would see it, and records it. */
  private receive(page: Page, body: string, beacon: boolean): Request {
    this.check(page.alive, 'a page that was left sent a request')
    this.check(byteLength(body) <= MAX_BODY_BYTES, `a body of ${byteLength(body)} bytes`)
    const parsed = JSON.parse(body) as { batch: TestEvent[]; sentAt: string; writeKey: string }
    this.check(
      Object.keys(parsed).join() === 'batch,sentAt,writeKey' &&
        parsed.writeKey === WRITE_KEY &&
        parsed.sentAt === new Date(this.now).toISOString() &&
        parsed.batch.length > 0,
      `a body of ${body.slice(0, 100)}`,
    )
    const ids = parsed.batch.map((event) => event.messageId)
    for (const event of parsed.batch) {
      // Sent as tracked, with the same messageId on every attempt.
      this.check(
        JSON.stringify(event) === JSON.stringify(this.tracked.get(event.messageId)?.event),
        `${event.messageId} changed`,
      )
      // A refused event is final.
      this.check(!this.dropped.has(event.messageId), `${event.messageId} was refused, then sent`)
    }
    if (!beacon) {
      // Never before the backoff or Retry-After.
      this.check(this.now >= page.notBefore, `sent ${page.notBefore - this.now} ms early`)
      // Each event is in one request at a time.
      const inFlight = new Set(
        this.requests
          .filter((r) => r.page === page && !r.beacon && !r.answered)
          .flatMap((r) => r.ids),
      )
      for (const id of ids) this.check(!inFlight.has(id), `${id} is already in flight`)
      for (const id of ids) {
        if (page.sent.has(id)) continue
        // Until a request fails, events go out in the order the page got them.
        if (!page.failed) {
          const next = page.owned.find((o) => !page.sent.has(o) && !this.dropped.has(o))
          this.check(id === next, `${id} sent out of order`)
        }
        page.sent.add(id)
      }
    }
    const request = { page, at: this.now, ids, beacon, answered: false }
    this.requests.push(request)
    return request
  }

  /** Requests whose answer their page never saw: what may arrive twice. */
  unanswered(id: string): number {
    return this.requests.filter((r) => (r.beacon || !r.answered) && r.ids.includes(id)).length
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

type Command =
  | { kind: 'track'; pad: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'hide' }
  | { kind: 'show' }
  | { kind: 'flush' }
  | { kind: 'reload'; gap: number }

const command = (reloads: boolean): fc.Arbitrary<Command> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('track'), pad: fc.nat(3_000) }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('wait'),
        ms: fc.oneof(fc.nat(1_500), fc.nat(70_000)),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('hide') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('show') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush') }) },
    {
      weight: reloads ? 1 : 0,
      arbitrary: fc.record({ kind: fc.constant('reload'), gap: fc.nat(5_000) }),
    },
  ) as fc.Arbitrary<Command>

const outcome: fc.Arbitrary<Outcome> = fc.record(
  {
    status: fc.constantFrom(200, 200, 200, 202, 0, 500, 503, 429, 429, 400, 413),
    retryAfter: fc.option(
      fc.oneof(
        fc.record({ seconds: fc.integer({ min: 1, max: 120 }), date: fc.boolean() }),
        fc.constant('soon' as const),
      ),
      { nil: undefined },
    ),
    latency: fc.oneof(fc.constant(0), fc.nat(3_000)),
  },
  { requiredKeys: ['status', 'latency'] },
)

const randoms = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
  minLength: 1,
  maxLength: 8,
})

async function run(
  commands: readonly Command[],
  outcomes: readonly Outcome[],
  random: readonly number[],
  beaconsArrive: boolean,
  storageWorks = true,
): Promise<World> {
  const world = new World(outcomes, random, beaconsArrive, storageWorks)
  for (const step of commands) {
    const page = world.page
    if (step.kind === 'track') world.track(step.pad)
    else if (step.kind === 'wait') await world.advance(step.ms)
    else if (step.kind === 'hide' || step.kind === 'show') {
      if (page.hidden !== (step.kind === 'hide')) {
        page.hidden = !page.hidden
        if (page.hidden) page.flush()
      }
    } else if (step.kind === 'flush') page.transport._flush()
    else {
      await world.leave()
      await world.advance(step.gap)
      world.load()
    }
    await world.advance(0)
  }
  await world.settle()
  return world
}

/** Every event the pages did not see refused arrived; more than once only if a page left first. */
function expectDelivered(world: World): void {
  for (const id of world.tracked.keys()) {
    const delivered = world.delivered.get(id) ?? 0
    if (!world.dropped.has(id)) expect(delivered, `${id} delivered`).toBeGreaterThanOrEqual(1)
    expect(delivered, `${id} delivered`).toBeLessThanOrEqual(1 + world.unanswered(id))
  }
}

describe('createTransport', () => {
  it('delivers every event, or keeps it in the outbox, whatever fails and however often the page is hidden or left', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command(true), { maxLength: 60 }),
        fc.array(outcome, { maxLength: 40 }),
        randoms,
        fc.boolean(),
        async (commands, outcomes, random, beaconsArrive) => {
          const world = await run(commands, outcomes, random, beaconsArrive)
          expectDelivered(world)
          // Nothing is left behind once everything is acknowledged.
          expect(world.storage.has(OUTBOX_KEY)).toBe(false)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('delivers each event exactly once within a page, without storage too', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command(false), { maxLength: 60 }),
        fc.array(outcome, { maxLength: 40 }),
        randoms,
        fc.boolean(),
        async (commands, outcomes, random, storageWorks) => {
          const world = await run(commands, outcomes, random, false, storageWorks)
          for (const id of world.tracked.keys()) {
            expect(world.delivered.get(id) ?? 0, id).toBe(world.dropped.has(id) ? 0 : 1)
          }
        },
      ),
      { numRuns: 100 },
    )
  })

  it('delivers events in the order they were tracked when nothing fails, across page loads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command(true), { maxLength: 60 }),
        fc.array(
          outcome.map((o) => ({ ...o, status: 200 })),
          { maxLength: 40 },
        ),
        async (commands, outcomes) => {
          const world = await run(commands, outcomes, [0.5], false)
          const first: string[] = []
          for (const request of world.requests) {
            for (const id of request.ids) if (!first.includes(id)) first.push(id)
          }
          expect(first).toEqual([...world.tracked.keys()])
        },
      ),
      { numRuns: 100 },
    )
  })

  it('waits for Retry-After, then backs off by the number of failures so far, with the same events', async () => {
    const world = new World(
      [
        { status: 429, retryAfter: { seconds: 30, date: false }, latency: 100 },
        { status: 503, latency: 100 },
        { status: 0, latency: 100 },
        { status: 500, latency: 100 },
      ],
      [0],
      false,
    )
    world.track(0)
    await world.advance(60_000)
    await world.settle()
    const times = world.requests.map((request) => request.at - START)
    // The 1 s timer; Retry-After 30 s from the answer; then (jitter 0) 1, 2 and 4 s: the
    // second, third and fourth failure.
    expect(times).toEqual([1_000, 31_100, 32_200, 34_300, 38_400])
    expect(world.requests.map((request) => request.ids)).toEqual(Array(5).fill(['m0']))
  })

  it('never brings a retry forward: a shorter backoff after a long Retry-After waits for both', async () => {
    const world = new World(
      [
        { status: 200, latency: 0 },
        { status: 429, retryAfter: { seconds: 20, date: true }, latency: 50 },
        { status: 500, latency: 100 },
      ],
      [0],
      false,
    )
    world.page.hidden = true
    // Hidden: each event is sent at once, in its own request.
    world.track(0)
    world.track(0)
    world.track(0)
    await world.advance(5_000)
    // Past the 500's backoff, within the 429's Retry-After: this one waits too.
    world.track(0)
    await world.settle()
    expect(world.requests.map((r) => [r.at - START, r.ids])).toEqual([
      [0, ['m0']],
      [0, ['m1']],
      [0, ['m2']],
      [20_000, ['m2', 'm1', 'm3']],
    ])
  })

  it(`sends at ${MAX_QUEUED} events without waiting, and splits bodies at ${MAX_BODY_BYTES} bytes`, async () => {
    const world = new World([], [0], false)
    for (let i = 0; i < MAX_QUEUED - 1; i++) world.track(5_000)
    await world.advance(0)
    expect(world.requests).toHaveLength(0)
    world.track(5_000)
    await world.advance(0)
    expect(world.requests.map((r) => r.ids.length)).toEqual([11, 9])
  })

  it('drops an event too large for any request, and the events a 4xx refuses', async () => {
    const world = new World([{ status: 400, latency: 10 }], [0], false)
    world.track(MAX_BODY_BYTES)
    // Never sent (checked on every request).
    world.dropped.add('m0')
    world.track(10)
    await world.advance(1_000)
    world.page.hidden = true
    world.track(10)
    await world.settle()
    expect(world.requests.map((r) => r.ids)).toEqual([['m1'], ['m2']])
    expect([...world.dropped]).toEqual(['m0', 'm1'])
    expect(world.storage.has(OUTBOX_KEY)).toBe(false)
  })

  it('keeps what is unacknowledged when the page is left, tries a beacon, and sends it first on the next load', async () => {
    const world = new World([{ status: 0, latency: 0 }], [0], true)
    world.track(0)
    world.track(0)
    await world.leave()
    expect(world.requests.map((r) => [r.beacon, r.ids])).toEqual([
      [false, ['m0', 'm1']],
      [true, ['m0', 'm1']],
    ])
    expect(world.storedIds()).toEqual(['m0', 'm1'])
    world.load()
    // Taken over: the key is gone until this page is hidden or left.
    expect(world.storage.has(OUTBOX_KEY)).toBe(false)
    world.track(0)
    await world.settle()
    expect(world.requests.slice(2).map((r) => r.ids)).toEqual([['m0', 'm1', 'm2']])
  })

  it('forgets everything when cleared, even the answers of requests in flight', async () => {
    const world = new World([{ status: 503, latency: 500 }], [0], false)
    world.track(0)
    await world.advance(1_000)
    world.page.hidden = true
    world.track(0)
    expect(world.storedIds()).toEqual(['m0', 'm1'])
    world.page.transport._clear()
    expect(world.storage.has(OUTBOX_KEY)).toBe(false)
    await world.settle()
    expect(world.requests.map((r) => r.ids)).toEqual([['m0'], ['m1']])
  })
})

describe('isRetryable', () => {
  it('retries network errors, 429 and 5xx', () => {
    expect([0, 429, 500, 502, 503, 504].map(isRetryable)).toEqual(Array(6).fill(true))
  })

  it('does not retry 2xx and other 4xx', () => {
    expect([200, 204, 400, 401, 403, 404, 408, 413].map(isRetryable)).toEqual(Array(8).fill(false))
  })
})
