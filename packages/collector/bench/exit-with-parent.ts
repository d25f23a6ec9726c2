/**
 * Preloaded (`node --import`) into the servers ingest.ts starts: when the benchmark's
 * process goes away, even killed with SIGKILL, its IPC channel closes and the server
 * shuts down gracefully as on SIGTERM, so no server outlives the benchmark.
 */
if (process.channel) {
  process.channel.unref()
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM')
  })
}

export {}
