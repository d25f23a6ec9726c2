import { DROP_REASONS, type DropReason, REQUEST_REASONS } from '@touchline/shared'
import type { DropRecord, Project, Store } from '../store/store'

/** One kind of event (or request) not stored, as the ingest routes see it. */
export interface Drop {
  reason: DropReason
  library: string
  /** The offending field (`invalid`), else `''`. */
  field?: string
  /** The message the sender is given. */
  error: string
  /** The event (or body) as received: kept as a truncated sample, without IP addresses. */
  payload?: unknown
  /** How many events (requests); default 1. */
  count?: number
}

export const SAMPLE_CHARS = 1_000
const LOG_INTERVAL_MS = 60_000
/** Keys that may hold an IP address: never kept in a sample. */
const IP_KEY = /^(ip|request_?ip|ip_?address|x-forwarded-for)$/i

/** The event as JSON without IP addresses, truncated to SAMPLE_CHARS. */
export function samplePayload(payload: unknown): string {
  if (payload === undefined) return ''
  const json = JSON.stringify(sampleOf(payload, SAMPLE_DEPTH)) ?? ''
  return json.length > SAMPLE_CHARS ? `${json.slice(0, SAMPLE_CHARS - 1)}…` : json
}

/**
 * How much of a payload a sample shows: deeper values (an event nested 5,000 levels) and
 * entries past the first ones (a body of 100,000 events) are cut; SAMPLE_CHARS cuts anyway.
 */
const SAMPLE_DEPTH = 8
const SAMPLE_ENTRIES = 50

/** The payload without IP keys, cut in depth and breadth; recursion is bounded by `depth`. */
function sampleOf(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth === 0) return '…'
  if (Array.isArray(value)) {
    return value.slice(0, SAMPLE_ENTRIES).map((item) => sampleOf(item, depth - 1))
  }
  const copy: Record<string, unknown> = {}
  let entries = 0
  for (const key in value) {
    if (entries++ === SAMPLE_ENTRIES) break
    if (!IP_KEY.test(key)) copy[key] = sampleOf((value as Record<string, unknown>)[key], depth - 1)
  }
  return copy
}

/**
 * The client library an event came from: its `context.library.name`, else the product of a
 * non-browser User-Agent (`analytics-python/2.3` → `analytics-python`, `curl/8.5` → `curl`),
 * else `(unknown)`.
 */
export function libraryOf(event: unknown, userAgent: string | null): string {
  const context = isRecord(event) && isRecord(event.context) ? event.context : undefined
  const library = context && isRecord(context.library) ? context.library.name : undefined
  if (typeof library === 'string' && library.trim() !== '') return library.trim().slice(0, 100)
  const product = userAgent?.trim().split(/[\s/]/)[0]
  return product && !/^mozilla$/i.test(product) ? product.slice(0, 100) : '(unknown)'
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Folds drops of the same reason, library and field into one record, the latest as its sample. */
function fold(drops: readonly Drop[], at: number): DropRecord[] {
  const byKind = new Map<string, DropRecord>()
  for (const drop of drops) {
    const field = drop.field ?? ''
    const kind = `${drop.reason}\n${drop.library}\n${field}`
    const known = byKind.get(kind)
    if (known) {
      // The latest one is the sample.
      known.count += drop.count ?? 1
      known.error = drop.error
      known.payload = samplePayload(drop.payload)
    } else {
      byKind.set(kind, {
        reason: drop.reason,
        library: drop.library,
        field,
        count: drop.count ?? 1,
        at,
        error: drop.error,
        payload: samplePayload(drop.payload),
      })
    }
  }
  return [...byKind.values()]
}

interface LogWindow {
  until: number
  count: number
  latest: string
}

export interface DropLogOptions {
  store: Store
  now: () => number
  /** Where the person running the collector looks: stderr (default `console.error`). */
  log?: (line: string) => void
}

/**
 * Nothing is dropped silently (PRODUCT.md §3): every event or request not stored is counted in
 * the store by project, reason, library and field with a sample (`GET /v1/ingestion/warnings`),
 * and told on the log at most once a minute per project and reason.
 */
export class DropLog {
  private readonly windows = new Map<string, LogWindow>()
  private readonly log: (line: string) => void
  /** Refused requests, written once a second: a flood of them costs no write each. */
  private refused = new Map<string, Drop[]>()
  private refusedTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: DropLogOptions) {
    this.log = options.log ?? ((line) => console.error(line))
  }

  /**
   * Counts and samples the drops of one request; resolves once committed. A failure to count
   * is told on the log, never thrown: it must not fail the batch whose events were stored.
   */
  async record(project: Project, drops: readonly Drop[]): Promise<void> {
    if (drops.length === 0) return
    const records = fold(drops, this.options.now())
    for (const record of records) this.tell(project.name, record)
    await this.options.store
      .recordDrops(project.id, records)
      .catch((error: unknown) =>
        this.log(`touchline: could not count what was not stored: ${String(error)}`),
      )
  }

  /**
   * A request refused as a whole (413, 400, 403, 429): told at once, counted within a second
   * (folded with the others of that second).
   */
  refuse(project: Project, drop: Drop): void {
    this.tell(project.name, { ...drop, field: drop.field ?? '', count: drop.count ?? 1 })
    const drops = this.refused.get(project.id)
    if (drops) drops.push(drop)
    else this.refused.set(project.id, [drop])
    if (!this.refusedTimer) {
      this.refusedTimer = setTimeout(() => {
        this.flush().catch((error: unknown) => this.log(`touchline: ${String(error)}`))
      }, 1_000)
      ;(this.refusedTimer as { unref?: () => void }).unref?.()
    }
  }

  /** Writes the refused requests not yet counted (before reading the counts, and at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.refusedTimer)
    this.refusedTimer = undefined
    const refused = this.refused
    this.refused = new Map()
    const at = this.options.now()
    await Promise.all(
      [...refused].map(([projectId, drops]) =>
        this.options.store.recordDrops(projectId, fold(drops, at)),
      ),
    )
  }

  /** A request whose key is missing or names no project: only the log can tell. */
  unknownKey(error: string, library: string): void {
    this.tell(undefined, { reason: 'unknown_key', library, field: '', count: 1, error })
  }

  private tell(
    projectName: string | undefined,
    record: Pick<DropRecord, 'reason' | 'library' | 'field' | 'count' | 'error'>,
  ): void {
    const who = projectName === undefined ? 'unknown key' : `project "${projectName}"`
    const key = `${who}\n${record.reason}`
    const latest = `${record.library}: ${record.error}`
    const now = this.options.now()
    const window = this.windows.get(key)
    if (window && now < window.until) {
      window.count += record.count
      window.latest = latest
      return
    }
    this.log(line(who, record.reason, record.count, latest, ''))
    this.open(key, who, record.reason, now)
  }

  /** Drops of one key during the next minute are summed and told once when it ends. */
  private open(key: string, who: string, reason: DropReason, now: number): void {
    const window: LogWindow = { until: now + LOG_INTERVAL_MS, count: 0, latest: '' }
    this.windows.set(key, window)
    const timer = setTimeout(() => {
      if (window.count === 0) {
        this.windows.delete(key)
        return
      }
      this.log(line(who, reason, window.count, window.latest, ' in the last minute'))
      this.open(key, who, reason, window.until)
    }, LOG_INTERVAL_MS)
    // Never keeps the process alive.
    ;(timer as { unref?: () => void }).unref?.()
  }
}

function line(who: string, reason: DropReason, count: number, latest: string, when: string) {
  const what = REQUEST_REASONS.has(reason) ? 'request' : 'event'
  const counted = `${count} ${what}${count === 1 ? '' : 's'}`
  return `touchline: ${who}: ${counted} not stored${when} (${DROP_REASONS[reason]}); latest from ${latest.replace(/\.$/, '')}. See GET /v1/ingestion/warnings or "touchline warnings".`
}
