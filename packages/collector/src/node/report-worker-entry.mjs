// The report worker's entry: registers tsx's loader in the worker thread (loaders are per
// thread), then loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./report-worker.ts')
