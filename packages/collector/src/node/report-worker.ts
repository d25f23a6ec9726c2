import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'
import { answerReports } from '../reports/worker-protocol'
import { openStore } from '../store/open'
import { maintainedExcludedDomains } from './email-domains'

/** What the main thread gives the report worker (`WorkerRunner`). */
export interface ReportWorkerData {
  /** The database, as `CollectorOptions.dbPath` names it. */
  dbPath: string
}

// The report worker: its own connection to the database (WAL: it reads while the main
// thread writes) and its own journey engine, kept warm between requests.
if (parentPort) {
  answerReports({
    store: await openStore((workerData as ReportWorkerData).dbPath),
    maintainedDomains: maintainedExcludedDomains,
    port: parentPort,
    warmed: collectGarbage,
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
