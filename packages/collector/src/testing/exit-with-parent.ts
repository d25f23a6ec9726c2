/**
 * Preloaded (`node --import`) into servers that tests and benchmarks start: when their parent
 * process goes away, even killed with SIGKILL, its IPC channel closes and the server
 * shuts down gracefully as on SIGTERM, so no server outlives its test or benchmark.
 */
if (process.channel) {
  process.channel.unref()
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM')
  })
}

export {}
