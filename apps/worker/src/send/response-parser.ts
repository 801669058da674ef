/**
 * An incremental, strict HTTP/1.1 response parser (RFC 9112) for the sender's own connections.
 * It frames the message (content-length, chunked, read-until-close, no body for HEAD, 1xx, 204 and
 * 304), hands body bytes on as views of the socket's buffers (no copies), and says whether the
 * connection may carry another request. Anything ambiguous (conflicting lengths, obsolete line
 * folding, bare LF, bytes after the message) is an error or makes the connection single-use, so
 * a reused connection can never attribute one response to the next request.
 */

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Status line plus headers; Node's own client allows 16 KiB, we allow more for odd receivers. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 4096;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\r\n]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CHUNK_SIZE = /^[0-9a-fA-F]{1,12}$/;
/** Headers Node keeps only the first of (IncomingMessage#headers): same result shape as got's. */
const SINGLE_VALUED = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface ResponseHead {
  statusCode: number;
  statusMessage: string;
  /** Lower-case names; `set-cookie` as an array, other repeats joined with ", " (as Node does). */
  headers: ResponseHeaders;
}

/** A response that is not valid HTTP/1.1: the connection is closed, the attempt is a network error. */
export class ResponseParseError extends Error {
  constructor(
    message: string,
    readonly code: 'NO_RESPONSE' | 'INCOMPLETE' | 'MALFORMED',
  ) {
    super(message);
    this.name = 'ResponseParseError';
  }
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  /** Body bytes as sent (still content-encoded); a view valid only during the call. */
  onBody(chunk: Buffer): void;
  /** The message is complete; `reusable` says whether the connection may carry another request. */
  onComplete(reusable: boolean): void;
}

/** `ended`: the head said there is no body; completion is announced once the bytes after it are known. */
type State = 'head' | 'ended' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

export class ResponseParser {
  private state: State = 'done';
  private pending: Buffer | null = null;
  private remaining = 0;
  private keepAlive = true;
  private bodyExpected = true;
  private sawBytes = false;
  private trailerBytes = 0;

  constructor(private readonly events: ResponseEvents) {}

  /** Starts a new response; `expectBody` is false for a HEAD request. */
  reset(expectBody: boolean): void {
    this.state = 'head';
    this.pending = null;
    this.bodyExpected = expectBody;
    this.sawBytes = false;
    this.keepAlive = true;
    this.trailerBytes = 0;
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  /** True when the body ends only when the server closes the connection. */
  get readsUntilClose(): boolean {
    return this.state === 'close';
  }

  /** Feeds bytes from the socket; throws ResponseParseError on a malformed message. */
  execute(chunk: Buffer): void {
    if (chunk.length > 0) this.sawBytes = true;
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let offset = 0;
    while (offset < data.length) {
      switch (this.state) {
        case 'done':
          // Bytes after the message: the server is out of step with us; never reuse this connection.
          this.keepAlive = false;
          return;
        case 'head': {
          const end = data.indexOf(HEAD_END, offset);
          if (end === -1) {
            this.keep(data, offset, MAX_HEAD_BYTES, 'response head');
            return;
          }
          this.head(data.toString('latin1', offset, end));
          offset = end + 4;
          if ((this.state as State) === 'ended') this.finishMessage(offset < data.length); // set by head()
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, data.length - offset);
          this.events.onBody(data.subarray(offset, offset + take));
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishMessage(offset < data.length);
          break;
        }
        case 'close':
          this.events.onBody(offset === 0 ? data : data.subarray(offset));
          return;
        case 'chunk-size': {
          const end = data.indexOf(CRLF, offset);
          if (end === -1) {
            this.keep(data, offset, MAX_CHUNK_LINE_BYTES, 'chunk size line');
            return;
          }
          this.chunkSize(data.toString('latin1', offset, end));
          offset = end + 2;
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, data.length - offset);
          this.events.onBody(data.subarray(offset, offset + take));
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'chunk-end';
          break;
        }
        case 'chunk-end': {
          if (data.length - offset < 2) {
            this.keep(data, offset, 2, 'chunk end');
            return;
          }
          if (data[offset] !== 13 || data[offset + 1] !== 10) throw malformed('chunk data not followed by CRLF');
          offset += 2;
          this.state = 'chunk-size';
          break;
        }
        case 'trailers': {
          const end = data.indexOf(CRLF, offset);
          if (end === -1) {
            this.keep(data, offset, MAX_HEAD_BYTES - this.trailerBytes, 'trailers');
            return;
          }
          this.trailerBytes += end - offset + 2;
          if (this.trailerBytes > MAX_HEAD_BYTES) throw malformed('trailers too large');
          const empty = end === offset;
          offset = end + 2;
          if (empty) this.finishMessage(offset < data.length);
          break;
        }
        case 'ended':
          throw new Error('unreachable: an ended message is announced at once');
      }
    }
  }

  /** The server closed the connection: completes a read-until-close body, else throws. */
  finish(): void {
    if (this.state === 'done') return;
    if (this.state === 'close') {
      this.state = 'done';
      this.events.onComplete(false);
      return;
    }
    if (this.state === 'head' && !this.sawBytes) {
      throw new ResponseParseError('connection closed before any response', 'NO_RESPONSE');
    }
    throw new ResponseParseError('connection closed before the response was complete', 'INCOMPLETE');
  }

  /** Keeps an unfinished line or head for the next chunk, within a size limit. */
  private keep(data: Buffer, offset: number, limit: number, what: string): void {
    if (data.length - offset > limit) throw malformed(`${what} exceeds ${limit} bytes`);
    this.pending = Buffer.from(data.subarray(offset));
  }

  private head(text: string): void {
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0] ?? '');
    if (!status) throw malformed(`invalid status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const statusCode = Number(status[2]);
    const fields = parseFields(lines);
    if (statusCode === 101) throw malformed('unexpected 101 Switching Protocols (no upgrade was asked for)');
    if (statusCode < 200) return; // 1xx interim response (100 Continue, 103 Early Hints): the real one follows.
    const connection = tokens(fields.get('connection'));
    this.keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    this.events.onHead({ statusCode, statusMessage: status[3] ?? '', headers: toRecord(fields) });
    this.frame(statusCode, fields);
  }

  /** RFC 9112 section 6.3: how the body of this response is delimited. */
  private frame(statusCode: number, fields: Map<string, string[]>): void {
    if (!this.bodyExpected || statusCode === 204 || statusCode === 304) {
      this.state = 'ended';
      return;
    }
    const transferEncoding = fields.get('transfer-encoding');
    const contentLength = fields.get('content-length');
    if (transferEncoding) {
      const codings = tokens(transferEncoding);
      const chunkedAt = codings.indexOf('chunked');
      if (chunkedAt !== -1 && chunkedAt !== codings.length - 1)
        throw malformed('chunked is not the final transfer coding');
      // Both headers at once is how request smuggling starts: honour chunked, never reuse the connection.
      if (contentLength) this.keepAlive = false;
      if (chunkedAt === -1) {
        this.state = 'close';
        this.keepAlive = false;
        return;
      }
      this.state = 'chunk-size';
      return;
    }
    if (contentLength) {
      this.remaining = parseContentLength(contentLength);
      this.state = this.remaining === 0 ? 'ended' : 'length';
      return;
    }
    this.state = 'close';
    this.keepAlive = false;
  }

  private chunkSize(line: string): void {
    const semicolon = line.indexOf(';');
    const size = (semicolon === -1 ? line : line.slice(0, semicolon)).replace(/[ \t]+$/, '');
    if (!CHUNK_SIZE.test(size)) throw malformed(`invalid chunk size ${JSON.stringify(size.slice(0, 20))}`);
    this.remaining = Number.parseInt(size, 16);
    this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
  }

  private finishMessage(bytesFollow: boolean): void {
    this.state = 'done';
    if (bytesFollow) this.keepAlive = false;
    this.events.onComplete(this.keepAlive);
  }
}

function malformed(message: string): ResponseParseError {
  return new ResponseParseError(`malformed response: ${message}`, 'MALFORMED');
}

/** Header fields by lower-case name, every value kept in order. Rejects what RFC 9112 lets us reject. */
function parseFields(lines: string[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.length === 0) continue;
    if (line[0] === ' ' || line[0] === '\t') throw malformed('obsolete header line folding');
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw malformed(`invalid header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = trimOws(line, colon + 1);
    if (/[\0\r\n]/.test(value)) throw malformed(`invalid character in header ${name}`);
    const key = name.toLowerCase();
    const values = fields.get(key);
    if (values) values.push(value);
    else fields.set(key, [value]);
  }
  return fields;
}

/** The text of `line` from `start`, without the optional whitespace (spaces, tabs) around it. */
function trimOws(line: string, start: number): string {
  let from = start;
  let to = line.length;
  while (from < to && (line.charCodeAt(from) === 32 || line.charCodeAt(from) === 9)) from++;
  while (to > from && (line.charCodeAt(to - 1) === 32 || line.charCodeAt(to - 1) === 9)) to--;
  return line.slice(from, to);
}

/** Comma-separated tokens of every value of a header, lower-cased. */
function tokens(values: string[] | undefined): string[] {
  if (!values) return [];
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const token = part.trim().toLowerCase();
      if (token) out.push(token);
    }
  }
  return out;
}

/** One length for every Content-Length value (repeats must agree), else the response is refused. */
function parseContentLength(values: string[]): number {
  let length: string | null = null;
  for (const value of values) {
    for (const part of value.split(',')) {
      const candidate = part.trim();
      if (!/^\d{1,15}$/.test(candidate))
        throw malformed(`invalid content-length ${JSON.stringify(value.slice(0, 20))}`);
      if (length !== null && Number(candidate) !== Number(length)) throw malformed('conflicting content-length values');
      length = candidate;
    }
  }
  return Number(length);
}

function toRecord(fields: Map<string, string[]>): ResponseHeaders {
  const headers: ResponseHeaders = {};
  for (const [name, values] of fields) {
    if (name === 'set-cookie') headers[name] = values;
    else headers[name] = SINGLE_VALUED.has(name) ? values[0] : values.join(', ');
  }
  return headers;
}
