import { HTTPException } from 'hono/http-exception'

export const MAX_BODY_BYTES = 500 * 1024

const DECODINGS: Record<string, CompressionFormat> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
}

/**
 * Reads a JSON body, enforcing the size limit on the bytes received and on the
 * decompressed bytes alike, whatever the framing (Content-Length or chunked).
 */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () =>
    new HTTPException(413, {
      message: `Request body is larger than ${limit / 1024} KB: send fewer events per batch.`,
    })
  const declared = Number(request.headers.get('content-length'))
  if (declared > limit) throw tooLarge()
  if (!request.body) throw new HTTPException(400, { message: 'Request body is empty: send JSON.' })

  let stream: ReadableStream<Uint8Array> = request.body.pipeThrough(byteLimit(limit, tooLarge))
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase()
  if (encoding && encoding !== 'identity') {
    const format = DECODINGS[encoding]
    if (!format) {
      throw new HTTPException(415, {
        message: `Content-Encoding "${encoding}" is not supported: use gzip, deflate or none.`,
      })
    }
    stream = stream
      .pipeThrough(
        new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>,
      )
      .pipeThrough(byteLimit(limit, tooLarge))
  }

  let text: string
  try {
    text = await new Response(stream).text()
  } catch (error) {
    if (error instanceof HTTPException) throw error
    throw new HTTPException(400, {
      message: `Request body could not be read (${encoding ?? 'uncompressed'}): ${(error as Error).message}`,
    })
  }
  if (text.trim() === '')
    throw new HTTPException(400, { message: 'Request body is empty: send JSON.' })
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HTTPException(400, {
      message: `Malformed JSON in request body: ${(error as Error).message}`,
    })
  }
}

function byteLimit(limit: number, tooLarge: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength
      if (seen > limit) controller.error(tooLarge())
      else controller.enqueue(chunk)
    },
  })
}
