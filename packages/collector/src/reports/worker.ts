import { parentPort, workerData } from 'node:worker_threads'
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
  | { id: number; ok: false; error: string }

// The report worker: its own connection to the database (WAL: it reads while the main
// thread writes) and its own journey engine, kept warm between requests.
if (parentPort) {
  const port = parentPort
  const store = new SqliteStore((workerData as { dbPath: string }).dbPath)
  const runner = new InProcessRunner(store)
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
      }
    }
    port.postMessage(reply)
  })
}
