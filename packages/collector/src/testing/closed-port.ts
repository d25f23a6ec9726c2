import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'

/** A loopback URL nothing listens on (a port just let go), so a connection is refused. */
export async function closedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
