/**
 * The API benchmark's baseline: a bare fastify app doing the same single insert / find through
 * the same driver (mongoose, same schedule model), with no auth, validation, RRULE or planning.
 * Env: MONGO_URL, MONGO_DATABASE, PORT.
 */
import { connectMongo, scheduleModel } from '@event-scheduler/models';
import Fastify from 'fastify';

const connection = await connectMongo({
  uri: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  database: process.env.MONGO_DATABASE ?? 'bench_bare',
});
const Schedules = scheduleModel(connection);
const app = Fastify({ logger: false });

app.post('/schedules', async (request, reply) => {
  const body = request.body as { name: string; rrule: string; callback_url: string };
  const created = await Schedules.create({
    tenant_id: 'bench',
    name: body.name,
    rrule: body.rrule,
    callback_url: body.callback_url,
    retry_policy: { max_attempts: 6, min_backoff_ms: 1000, max_backoff_ms: 3_600_000 },
  });
  return reply.code(201).send({ id: String(created._id), name: created.name });
});

app.get('/schedules/:id', async (request, reply) => {
  const found = await Schedules.findOne({ _id: (request.params as { id: string }).id, tenant_id: 'bench' }).lean();
  return found ? { id: String(found._id), name: found.name } : reply.code(404).send({});
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log('ready');
process.once('SIGTERM', () => {
  void app.close().then(() => connection.close().then(() => process.exit(0)));
});
