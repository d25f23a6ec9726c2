import { setTimeout as sleep } from 'node:timers/promises'
import { backoffMs as backoffDelay, retryAfterMs } from '@touchline/shared'
import { MAX_BODY_BYTES } from '../ingest/body'
import { answerError, apiUrl, authorizationOf, networkError } from './collector-client'

/**
 * Sends imported events to a collector's `POST /v1/batch` with the secret key: batches
 * well under the body limit, a few in flight, retries that are harmless because every
 * event has a stable messageId.
 */

/** Bodies stay at half the collector's limit. */
export const MAX_BATCH_BYTES = MAX_BODY_BYTES / 2
export const MAX_BATCH_EVENTS = 500
export const MAX_IN_FLIGHT = 4
const MAX_RETRIES = 8
const REQUEST_TIMEOUT_MS = 60_000

export interface SenderOptions {
  url: string
  key: string
  /** A row the collector rejected: its line and the collector's reason. */
  onRejected: (line: number, error: string) => void
  /** Events the collector accepted with one batch. */
  onAccepted?: (accepted: number) => void
  /** Told before each retry. */
  onRetry?: (reason: string, delayMs: number) => void
  maxBatchBytes?: number
  maxBatchEvents?: number
  maxInFlight?: number
  maxRetries?: number
  /** The delay before retry `attempt` (0-based) after a network error, or a 429 or 5xx without `Retry-After`. */
  backoffMs?: (attempt: number) => number
}

/** Stops the import: the collector refused the key, or a batch it will never take. */
export class ImportStopped extends Error {}

interface BatchResponse {
  success: boolean
  accepted?: number
  rejected?: { index: number; error: string }[]
  error?: string
}

/** The shared retry rule's backoff (0.5–1 s, 1–2 s, … 30–60 s). */
const defaultBackoffMs = (attempt: number) => backoffDelay(attempt + 1, Math.random())

export class BatchSender {
  private readonly endpoint: string
  private readonly authorization: string
  private readonly options: SenderOptions
  private readonly maxBytes: number
  private readonly maxEvents: number
  private readonly maxInFlight: number
  private events: string[] = []
  private lines: number[] = []
  private bytes = 0
  private readonly inFlight = new Set<Promise<void>>()
  private stopped: Error | undefined
  /** Events sent, and accepted by the collector (deduplicated ones included). */
  sent = 0
  accepted = 0

  constructor(options: SenderOptions) {
    this.options = options
    this.endpoint = apiUrl(options.url, '/v1/batch')
    this.authorization = authorizationOf(options.key)
    this.maxBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES
    this.maxEvents = options.maxBatchEvents ?? MAX_BATCH_EVENTS
    this.maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT
  }

  /** Queues one event (its JSON); resolves when there is room for more. */
  async add(json: string, line: number): Promise<void> {
    this.throwIfStopped()
    const bytes = Buffer.byteLength(json) + 1
    if (this.events.length > 0 && this.bytes + bytes > this.maxBytes) await this.dispatch()
    this.events.push(json)
    this.lines.push(line)
    this.bytes += bytes
    if (this.events.length >= this.maxEvents) await this.dispatch()
  }

  /** Sends what is queued and waits for every batch to be answered. */
  async finish(): Promise<void> {
    if (this.events.length > 0 && !this.stopped) await this.dispatch()
    await this.settle()
    this.throwIfStopped()
  }

  /** Waits for the batches in flight, whatever their outcome. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight)
  }

  private throwIfStopped(): void {
    if (this.stopped) throw this.stopped
  }

  private async dispatch(): Promise<void> {
    const events = this.events
    const lines = this.lines
    this.events = []
    this.lines = []
    this.bytes = 0
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight)
    this.throwIfStopped()
    const body = `{"batch":[${events.join(',')}]}`
    const request: Promise<void> = this.send(body, lines).then(
      () => {
        this.inFlight.delete(request)
      },
      (error: unknown) => {
        this.inFlight.delete(request)
        this.stopped ??= error instanceof Error ? error : new Error(String(error))
      },
    )
    this.inFlight.add(request)
    this.sent += events.length
  }

  private async send(body: string, lines: readonly number[]): Promise<void> {
    const { maxRetries = MAX_RETRIES, backoffMs = defaultBackoffMs } = this.options
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return
      let failure: string
      let delayMs: number
      try {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: this.authorization },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        })
        const text = await response.text()
        if (response.ok) {
          this.answered(parseAnswer(text), lines)
          return
        }
        const reason = answerError(response.status, text)
        if (response.status === 401) {
          throw new ImportStopped(
            `the collector at ${this.options.url} refused the key (401): ${reason} Pass the project's secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.`,
          )
        }
        if (response.status === 429 || response.status >= 500) {
          failure =
            response.status === 429 ? `429 Too Many Requests` : `${response.status}: ${reason}`
          // The shared rule: the collector's Retry-After, else the backoff.
          delayMs =
            retryAfterMs(response.headers.get('retry-after'), Date.now()) || backoffMs(attempt)
        } else {
          throw new ImportStopped(
            `the collector at ${this.options.url} refused a batch (${response.status}): ${reason}`,
          )
        }
      } catch (error) {
        if (error instanceof ImportStopped) throw error
        failure = networkError(error, REQUEST_TIMEOUT_MS)
        delayMs = backoffMs(attempt)
      }
      if (attempt >= maxRetries) {
        throw new ImportStopped(
          `could not send to the collector at ${this.options.url} after ${attempt + 1} attempts (last: ${failure})`,
        )
      }
      this.options.onRetry?.(failure, delayMs)
      await sleep(delayMs)
    }
  }

  private answered(answer: BatchResponse, lines: readonly number[]): void {
    this.accepted += answer.accepted ?? 0
    this.options.onAccepted?.(answer.accepted ?? 0)
    for (const { index, error } of answer.rejected ?? []) {
      this.options.onRejected(lines[index] ?? 0, error)
    }
  }
}

function parseAnswer(text: string): BatchResponse {
  try {
    return JSON.parse(text) as BatchResponse
  } catch {
    throw new ImportStopped(
      `the collector answered something that is not JSON: ${text.slice(0, 200)}`,
    )
  }
}
