import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import type { Project } from '../store/store'
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
  /** `status`: an HTTP error the report raised on purpose (a 400, a 404), else a failure. */
  | { id: number; ok: false; error: string; status?: ContentfulStatusCode }

// The report worker: its own connection to the database (WAL: it reads while the main
// thread writes) and its own journey engine, kept warm between requests.
if (parentPort) {
  const port = parentPort
  const store = new SqliteStore((workerData as { dbPath: string }).dbPath)
  const runner = new InProcessRunner(store)
  // Read every project's journeys now, so the first report does not wait for it.
  store
    .listProjects()
    .then(async (projects) => {
      for (const project of projects) await runner.warm(project)
      collectGarbage()
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
      }
      if (!(error instanceof HTTPException)) console.error(error)
    }
    port.postMessage(reply)
  })
}

/**
 * A full garbage collection once the journeys are loaded. Loading millions of events
 * leaves V8 a major collection of the whole heap to do, and the first reports after a start
 * paid for it (1–3 s each at 10M events); done here, it is part of the start. `gc` is
 * exposed as test tools do it: the flag set at run time, the function read from a new context.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
}
