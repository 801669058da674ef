import { describe, expect, it } from '@jest/globals';
import { MAX_HEAD_BYTES, type ResponseHead, ResponseParseError, ResponseParser } from './response-parser.js';

interface Parsed {
  heads: ResponseHead[];
  body: string;
  completions: boolean[];
}

/** Feeds `pieces` one execute() each; `eof` then calls finish() as a closed connection does. */
function parse(pieces: (string | Buffer)[], { expectBody = true, eof = false } = {}): Parsed {
  const parsed: Parsed = { heads: [], body: '', completions: [] };
  const parser = new ResponseParser({
    onHead: (head) => parsed.heads.push(head),
    onBody: (chunk) => {
      parsed.body += chunk.toString('latin1');
    },
    onComplete: (reusable) => parsed.completions.push(reusable),
  });
  parser.reset(expectBody);
  for (const piece of pieces) parser.execute(Buffer.isBuffer(piece) ? piece : Buffer.from(piece, 'latin1'));
  if (eof) parser.finish();
  return parsed;
}

/** Every way to cut `text` in two, plus byte by byte: framing must not depend on how TCP splits it. */
function splits(text: string): string[][] {
  const ways: string[][] = [[text], [...text]];
  for (let at = 1; at < text.length; at++) ways.push([text.slice(0, at), text.slice(at)]);
  return ways;
}

function parseError(pieces: string[], options: { expectBody?: boolean; eof?: boolean } = {}): ResponseParseError {
  try {
    parse(pieces, options);
  } catch (error) {
    if (error instanceof ResponseParseError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

const CL_RESPONSE = 'HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world';
const CHUNKED_RESPONSE =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6 \r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('ResponseParser framing', () => {
  it.each(splits(CL_RESPONSE).map((pieces): [number, string[]] => [pieces.length, pieces]))(
    'reads a content-length body however it is split (%i pieces)',
    (_count, pieces) => {
      const parsed = parse(pieces);
      expect(parsed.heads).toHaveLength(1);
      expect(parsed.heads[0]).toMatchObject({ statusCode: 201, statusMessage: 'Created' });
      expect(parsed.heads[0]?.headers).toEqual({ 'content-type': 'text/plain', 'content-length': '11' });
      expect(parsed.body).toBe('hello world');
      expect(parsed.completions).toEqual([true]);
    },
  );

  it.each(splits(CHUNKED_RESPONSE).map((pieces): [number, string[]] => [pieces.length, pieces]))(
    'reads a chunked body with extensions and trailers however it is split (%i pieces)',
    (_count, pieces) => {
      const parsed = parse(pieces);
      expect(parsed.body).toBe('hello world');
      expect(parsed.completions).toEqual([true]);
    },
  );

  it('reads until the connection closes when there is no length, and never reuses it', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\n\r\nstream', 'ed until close'], { eof: true });
    expect(parsed.body).toBe('streamed until close');
    expect(parsed.completions).toEqual([false]);
  });

  it('treats a transfer coding other than chunked as read-until-close', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc'], { eof: true });
    expect(parsed.body).toBe('abc');
    expect(parsed.completions).toEqual([false]);
  });

  it('reads no body for HEAD even with a content-length, and keeps the connection', () => {
    const parsed = parse(['HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'], { expectBody: false });
    expect(parsed.heads[0]?.statusCode).toBe(200);
    expect(parsed.body).toBe('');
    expect(parsed.completions).toEqual([true]);
  });

  it.each([204, 304])('reads no body for %i', (status) => {
    const parsed = parse([`HTTP/1.1 ${status} Nothing\r\nContent-Length: 10\r\n\r\n`]);
    expect(parsed.completions).toEqual([true]);
    expect(parsed.body).toBe('');
  });

  it('completes a content-length of 0 at once', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']).completions).toEqual([true]);
  });

  it('skips 1xx interim responses and reads the final one', () => {
    const parsed = parse([
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n',
      'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok',
    ]);
    expect(parsed.heads.map((head) => head.statusCode)).toEqual([202]);
    expect(parsed.heads[0]?.headers.link).toBeUndefined();
    expect(parsed.body).toBe('ok');
    expect(parsed.completions).toEqual([true]);
  });

  it('refuses 101 Switching Protocols (no upgrade is ever asked for)', () => {
    expect(parseError(['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n']).message).toMatch(/101/);
  });
});

describe('ResponseParser connection reuse', () => {
  it.each([
    ['HTTP/1.1 with Connection: close', false, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'],
    ['HTTP/1.1 by default', true, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['HTTP/1.0 by default', false, 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['HTTP/1.0 with keep-alive', true, 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok'],
    [
      'both transfer-encoding and content-length (chunked wins)',
      false,
      'HTTP/1.1 200 OK\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    ],
    ['bytes after the message', false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'],
    ['bytes after a bodiless message', false, 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'],
  ] as const)('%s -> reusable %s', (_label, reusable, text) => {
    const parsed = parse([text]);
    expect(parsed.body.startsWith('ok') || parsed.body === '').toBe(true);
    expect(parsed.completions).toEqual([reusable]);
  });
});

describe('ResponseParser headers', () => {
  it('lower-cases names, keeps set-cookie as a list, joins repeats and keeps the first of single-valued ones', () => {
    const parsed = parse([
      'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Many: one\r\nset-cookie: b=2\r\nX-MANY: two\r\n' +
        'Retry-After: 5\r\nRetry-After: 9\r\nX-Empty:\r\nX-Spaced: \t padded \t\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(parsed.heads[0]?.headers).toEqual({
      'set-cookie': ['a=1', 'b=2'],
      'x-many': 'one, two',
      'retry-after': '5',
      'x-empty': '',
      'x-spaced': 'padded',
      'content-length': '0',
    });
  });

  it('accepts an empty reason phrase, with or without the space', () => {
    expect(parse(['HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n']).heads[0]?.statusMessage).toBe('');
    expect(parse(['HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n']).heads[0]?.statusCode).toBe(200);
  });
});

describe('ResponseParser refusals', () => {
  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200 OK\r\n\r\n'],
    ['a three-digit status it cannot read', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['garbage', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['obsolete line folding', 'HTTP/1.1 200 OK\r\nX-A: b\r\n  continued\r\n\r\n'],
    ['whitespace before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n'],
    ['a bare LF inside a header value', 'HTTP/1.1 200 OK\r\nX-A: b\nX-B: c\r\n\r\n'],
    ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
    ['a content-length list that disagrees', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok'],
    ['a negative content-length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['a content-length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n'],
    ['chunked that is not the final coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk size too large to be real', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n'],
    ['chunk data not followed by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n'],
  ])('refuses %s', (_label, text) => {
    expect(parseError([text]).code).toBe('MALFORMED');
  });

  it('accepts repeated identical content-lengths', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok']).body).toBe('ok');
  });

  it('refuses a head larger than the limit instead of buffering it forever', () => {
    const huge = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`;
    expect(parseError([huge.slice(0, 1000), huge.slice(1000)]).message).toMatch(/response head exceeds/);
  });

  it('says no response when the connection closes before any byte', () => {
    expect(parseError([], { eof: true }).code).toBe('NO_RESPONSE');
  });

  it.each([
    ['in the head', 'HTTP/1.1 200 OK\r\nContent-Len'],
    ['in a content-length body', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'],
    ['in a chunked body', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel'],
    ['with bare LF line ends (never a complete head)', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n'],
  ])('says incomplete when the connection closes %s', (_label, text) => {
    expect(parseError([text], { eof: true }).code).toBe('INCOMPLETE');
  });

  it('hands body bytes on without waiting for the end, for a cap to act on', () => {
    const seen: number[] = [];
    const parser = new ResponseParser({ onHead: () => {}, onBody: (c) => seen.push(c.length), onComplete: () => {} });
    parser.reset(true);
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n'));
    parser.execute(Buffer.alloc(300));
    parser.execute(Buffer.alloc(200));
    expect(seen).toEqual([300, 200]);
    expect(parser.complete).toBe(false);
  });
});
