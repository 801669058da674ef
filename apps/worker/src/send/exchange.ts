import zlib from 'node:zlib';
import { type Connection, type ConnectionPool, type ConnectionUser, clampDelay } from './connections.js';
import { type ResponseEvents, type ResponseHead, type ResponseHeaders, ResponseParser } from './response-parser.js';
import type { CallResult, ErrorKind } from './types.js';

/** What one request/response on one connection produced (a hop: redirects make several). */
export type HopResult = Omit<CallResult, 'durationMs'>;

export interface ExchangeLimits {
  /** Body bytes read at most (decoded and as sent); past it the connection is closed. */
  capBytes: number;
  /** Bytes of the (decoded) body kept as the snippet. */
  snippetBytes: number;
}

type Decoder = zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress;
const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/**
 * Reads the response to a request already written on `connection`: framing by the parser, the
 * body counted against the cap and kept up to the snippet size (decoded when gzip, deflate or br),
 * one timer for what is left of the attempt's time, the abort signal honoured. Settles exactly
 * once; the connection goes back to the pool only when the response ended cleanly.
 */
export class Exchange implements ConnectionUser, ResponseEvents {
  private readonly parser: ResponseParser;
  private connection: Connection | null;
  private readonly timer: NodeJS.Timeout;
  private statusCode: number | null = null;
  private headers: ResponseHeaders = {};
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private rawBytes = 0;
  private decodedBytes = 0;
  private encoding: string | null = null;
  private decoder: Decoder | null = null;
  private settled = false;

  constructor(
    private readonly pool: ConnectionPool,
    connection: Connection,
    expectBody: boolean,
    private readonly limits: ExchangeLimits,
    remainingMs: number,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly done: (result: HopResult) => void,
  ) {
    this.connection = connection;
    connection.user = this;
    this.parser = new ResponseParser(this);
    this.parser.reset(expectBody);
    this.timer = setTimeout(this.onTimeout, clampDelay(remainingMs));
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  onData(chunk: Buffer): void {
    try {
      this.parser.execute(chunk);
    } catch (error) {
      this.settle('network', (error as Error).message);
    }
  }

  onEnd(error: Error | null): void {
    if (error) {
      this.settle('network', socketErrorMessage(error, this.statusCode));
      return;
    }
    try {
      this.parser.finish();
    } catch (parseError) {
      this.settle('network', (parseError as Error).message);
    }
  }

  onHead(head: ResponseHead): void {
    this.statusCode = head.statusCode;
    this.headers = head.headers;
    const encoding = head.headers['content-encoding'];
    if (typeof encoding === 'string' && DECODABLE.has(encoding.trim().toLowerCase())) {
      this.encoding = encoding.trim().toLowerCase();
    }
  }

  onBody(chunk: Buffer): void {
    if (this.settled) return;
    this.rawBytes += chunk.length;
    if (this.encoding === null) this.consume(chunk);
    else if (this.rawBytes > this.limits.capBytes) this.tooLarge();
    else {
      this.decoder ??= this.createDecoder(chunk);
      this.decoder.write(chunk);
    }
  }

  onComplete(reusable: boolean): void {
    const connection = this.connection;
    this.connection = null;
    if (connection) this.pool.release(connection, reusable && !this.settled, this.headers['keep-alive']);
    if (this.settled) return;
    if (this.decoder) this.decoder.end();
    else this.settle(null, null);
  }

  private consume(bytes: Buffer): void {
    if (this.settled) return;
    this.decodedBytes += bytes.length;
    if (this.keptBytes < this.limits.snippetBytes) {
      // Copied: the socket's buffer behind `bytes` should not live as long as the snippet.
      const part = Buffer.from(bytes.subarray(0, this.limits.snippetBytes - this.keptBytes));
      this.kept.push(part);
      this.keptBytes += part.length;
    }
    if (this.decodedBytes > this.limits.capBytes) this.tooLarge();
  }

  private createDecoder(first: Buffer): Decoder {
    let decoder: Decoder;
    if (this.encoding === 'br') decoder = zlib.createBrotliDecompress();
    else if (this.encoding !== 'deflate') decoder = zlib.createGunzip();
    // "deflate" is meant zlib-wrapped (RFC 9110) but some servers send it raw: a zlib header's low nibble is 8.
    else decoder = ((first[0] ?? 0) & 0x0f) === 8 ? zlib.createInflate() : zlib.createInflateRaw();
    decoder.on('data', (bytes: Buffer) => this.consume(bytes));
    decoder.on('end', () => this.settle(null, null));
    decoder.on('error', (error) =>
      this.settle('network', `could not decode the ${this.encoding} response body: ${error.message}`),
    );
    return decoder;
  }

  private tooLarge(): void {
    this.settle('response_too_large', `response body exceeds ${this.limits.capBytes} bytes; stopped reading`);
  }

  private readonly onTimeout = () => {
    this.settle('timeout', `timeout: no complete response within ${this.timeoutMs} ms`);
  };

  private readonly onAbort = () => {
    this.settle('aborted', `attempt aborted: ${abortReason(this.signal)}`);
  };

  private settle(errorKind: ErrorKind | null, errorMessage: string | null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    const connection = this.connection;
    this.connection = null;
    if (connection) {
      // Mid-response: the connection's state is unknown, so it is closed, never reused.
      connection.user = null;
      connection.socket.destroy();
    }
    this.decoder?.destroy();
    this.done({
      statusCode: this.statusCode,
      headers: this.headers,
      errorKind,
      errorMessage,
      snippet: this.kept.length > 0 ? Buffer.concat(this.kept).toString('utf8') : null,
    });
  }
}

export function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/** A socket failure in words, saying whether the receiver had started to answer. */
export function socketErrorMessage(error: Error, statusCode: number | null): string {
  const code = (error as NodeJS.ErrnoException).code;
  const when = statusCode === null ? 'before it answered' : `while sending the HTTP ${statusCode} response`;
  if (code === 'ECONNRESET') return `connection reset by the receiver ${when} (ECONNRESET)`;
  if (code === 'EPIPE') return `the receiver closed the connection ${when} (EPIPE)`;
  if (error.message === 'connection closed') return `the connection closed ${when}`;
  return code ? `${error.message} (${code})` : error.message;
}
