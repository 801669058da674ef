import type { FastifyInstance } from 'fastify';

/**
 * Every request body is read as JSON whatever its Content-Type says: the original service did
 * so, and its documented curl command sends JSON as application/x-www-form-urlencoded. An empty
 * body counts as none. fastify's own JSON parser does the work, so prototype-poisoning keys
 * (`__proto__`, `constructor.prototype`) are refused and malformed JSON is a 400.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
}
