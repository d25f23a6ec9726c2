import { totalmem } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { ReportName, ReportParamsOf, ReportResultOf, ReportRunner } from '../reports/runner'
import { replyError, type WorkerReply, type WorkerRequest } from '../reports/worker-protocol'
import type { Project } from '../store/store'
import type { ReportWorkerData } from './report-worker'

/**
 * Reports computed in a worker thread with its own connection to the database file, so a
 * long report never stalls ingestion on the main thread. Requests are answered in order;
 * the worker keeps its journey engine (and its caches) between them.
 */
export class WorkerRunner implements ReportRunner {
  private readonly worker: Worker
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  private nextId = 1
  private failure: Error | undefined

  constructor(dbPath: string) {
    const workerData: ReportWorkerData = { dbPath }
    this.worker = new Worker(new URL('./report-worker-entry.mjs', import.meta.url), {
      workerData,
      // The entry registers its own loader; the parent's --import hooks are not for workers.
      execArgv: [],
      // Journeys of millions of events live in this heap: up to half the machine's memory.
      resourceLimits: reportHeapLimits(),
    })
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id)
      if (!waiting) return
      this.pending.delete(reply.id)
      if (reply.ok) waiting.resolve(reply.report)
      else waiting.reject(replyError(reply))
    })
    const fail = (error: Error) => {
      this.failure = error
      for (const waiting of this.pending.values()) waiting.reject(error)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`the report worker exited with code ${code}`))
    })
    // Reports only: the worker never keeps the process alive on its own.
    this.worker.unref()
  }

  run<N extends ReportName>(
    name: N,
    project: Project,
    params: ReportParamsOf<N>,
  ): Promise<ReportResultOf<N>> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      const request: WorkerRequest = { id, name, project, params }
      this.worker.postMessage(request)
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}

/**
 * The report worker's heap: half the machine's memory, at least 2 GB (V8's usual default),
 * with a young generation of 1/16 of it (48–768 MB). A report makes short-lived lists of
 * every journey, and each scavenge of the young generation costs time in proportion to the
 * old generation's size: with V8's usual 16 MB semi-spaces, reports over 10M events spent
 * half their time in the garbage collector.
 */
export function reportHeapLimits(total = totalmem()): {
  maxOldGenerationSizeMb: number
  maxYoungGenerationSizeMb: number
} {
  const old = Math.max(2_048, Math.floor(total / 1_048_576 / 2))
  return {
    maxOldGenerationSizeMb: old,
    maxYoungGenerationSizeMb: Math.min(768, Math.max(48, Math.floor(old / 16))),
  }
}
