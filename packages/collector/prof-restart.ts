import { copyFileSync } from 'node:fs'
import { maintainedExcludedDomains } from './src/node/email-domains'
import { JourneyEngine } from './src/reports/engine'
import { SqliteStore } from './src/store/sqlite/sqlite-store'
if (process.argv[2]) copyFileSync(process.argv[2], '/tmp/prof-copy.db')
const store = new SqliteStore('/tmp/prof-copy.db')
const [project] = await store.listProjects()
if (!project) throw new Error('no project')
for (const label of ['first', 'restart', 'restart']) {
  const engine = new JourneyEngine(store, maintainedExcludedDomains)
  const t = performance.now()
  await engine.journeys(project, { groupBy: 'channel', level: 'person' })
  console.log(label, Math.round(performance.now() - t), 'ms', Math.round(process.memoryUsage().rss / 1e6), 'MB')
}
