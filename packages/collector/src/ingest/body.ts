import { HTTPException } from 'hono/http-exception'

export const MAX_BODY_BYTES = 500 * 1024

const DECODINGS: Record<string, CompressionFormat> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
}

export interface JsonBody {
  value: unknown
  /** Size of the (decompressed) body in bytes. */
  bytes: number
}

/**
 * Reads a JSON body, enforcing the size limit on the bytes received and on the
 * decompressed bytes alike, whatever the framing (Content-Length or chunked).
 */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<JsonBody> {
  const tooLarge = () =>
    new HTTPException(413, {
      message: `Request body is larger than ${limit / 1024} KB: send fewer events per batch.`,
    })
  const declared = request.headers.get('content-length')
  if (Number(declared) > limit) throw tooLarge()
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase()
  const plain = !encoding || encoding === 'identity'

  let text: string
  if (plain && declared !== null) {
    // The common case: the HTTP parser delivers exactly Content-Length bytes, already checked.
    text = await request.text()
  } else {
    text = await readStream(request, encoding, limit, tooLarge)
  }
  if (text.trim() === '') {
    throw new HTTPException(400, { message: 'Request body is empty: send JSON.' })
  }
  try {
    const bytes =
      plain && declared !== null ? Number(declared) : new TextEncoder().encode(text).length
    return { value: JSON.parse(withoutLoneSurrogates(text)), bytes }
  } catch (error) {
    throw new HTTPException(400, {
      message: `Malformed JSON in request body: ${(error as Error).message}`,
    })
  }
}

/** A `\uD800`–`\uDFFF` escape, half of a pair or alone. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
/** Each escape of a JSON text in turn: a surrogate pair, a lone surrogate, or any other one. */
const ESCAPES =
  /\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[dD][89a-fA-F][0-9a-fA-F]{2}|.)/gs

/**
 * The JSON text with each lone surrogate escape (`"\ud800"`, valid JSON but no character) as
 * U+FFFD, in values and keys alike: SQLite would keep it as invalid UTF-8 that other clients
 * can't read. Text decoded from UTF-8 holds no surrogates but escaped ones, so this is all
 * there is to replace; texts without a surrogate escape are returned as they are.
 */
export function withoutLoneSurrogates(text: string): string {
  if (!SURROGATE_ESCAPE.test(text)) return text
  // Matching every escape from the left keeps `\\ud800` (a backslash, then "ud800") as it is.
  return text.replace(ESCAPES, (sequence) => (sequence.length === 6 ? '\\ufffd' : sequence))
}

/** Chunked or compressed bodies: counted as they stream, before and after decompression. */
async function readStream(
  request: Request,
  encoding: string | undefined,
  limit: number,
  tooLarge: () => Error,
): Promise<string> {
  if (!request.body) return ''
  let stream: ReadableStream<Uint8Array> = request.body.pipeThrough(byteLimit(limit, tooLarge))
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
  try {
    return await new Response(stream).text()
  } catch (error) {
    if (error instanceof HTTPException) throw error
    throw new HTTPException(400, {
      message: `Request body could not be read (${encoding ?? 'uncompressed'}): ${(error as Error).message}`,
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
