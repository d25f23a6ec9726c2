import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { MaintainedDomains } from '../identity/domains'
import { type Project, type Store, StoreUnavailable } from '../store/store'
import { InProcessRunner, type ReportName } from './runner'

/** A report request from the main thread. */
export interface WorkerRequest {
  id: number
  name: ReportName
  project: Project
  params: unknown
}

export type WorkerReply =
  | { id: number; ok: true; report: unknown }
  /**
   * `status`: an HTTP error the report raised on purpose (a 400, a 404); `unavailable`: the
   * database could not be reached (`StoreUnavailable`); else a failure.
   */
  | { id: number; ok: false; error: string; status?: ContentfulStatusCode; unavailable?: true }

/**
 * How often the worker derives and stores the sessions of new events without a report
 * asking: a restart catches up at most this much, and ingestion, the other writer, seldom
 * waits for the worker's writes.
 */
const DERIVE_EVERY_MS = 10_000

/** Where requests arrive and replies go: the report worker's `parentPort`. */
export interface ReportPort {
  on(event: 'message', listener: (request: WorkerRequest) => void): unknown
  postMessage(reply: WorkerReply): void
}

/**
 * Answers the report requests arriving on `port`, in order, with one journey engine over
 * `store` kept warm between them. Every project's journeys are read at once, so the first
 * report does not wait for it; `warmed` runs after.
 */
export function answerReports(options: {
  store: Store
  maintainedDomains: MaintainedDomains
  port: ReportPort
  warmed?: () => void
}): void {
  const { store, port } = options
  const runner = new InProcessRunner(store, options.maintainedDomains)
  store
    .listProjects()
    .then(async (projects) => {
      for (const project of projects) await runner.warm(project)
      options.warmed?.()
      // Then keep them, and the stored sessions a restart reads, current as events arrive.
      setInterval(() => {
        store
          .listProjects()
          .then(async (current) => {
            for (const project of current) await runner.update(project)
          })
          .catch((error: unknown) => console.error(error))
      }, DERIVE_EVERY_MS)
    })
    .catch((error: unknown) => console.error(error))
  port.on('message', async (request: WorkerRequest) => {
    let reply: WorkerReply
    try {
      reply = {
        id: request.id,
        ok: true,
        report: await runner.run(request.name, request.project, request.params as never),
      }
    } catch (error) {
      reply = {
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof HTTPException ? { status: error.status } : {}),
        ...(error instanceof StoreUnavailable ? { unavailable: true as const } : {}),
      }
      if (!(error instanceof HTTPException || error instanceof StoreUnavailable)) {
        console.error(error)
      }
    }
    port.postMessage(reply)
  })
}

/** The error a failed reply stands for: the report's HTTP error again, else a failure. */
export function replyError(reply: WorkerReply & { ok: false }): Error {
  if (reply.unavailable) return new StoreUnavailable(reply.error)
  return reply.status
    ? new HTTPException(reply.status, { message: reply.error })
    : new Error(`report failed in the worker: ${reply.error}`)
}
