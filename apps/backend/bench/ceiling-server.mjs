// The benchmark's ceiling: a bare Fastify that answers the same JSON bodies as the backend from
// memory (no auth, no validation, no database), so each real route can be judged against what
// Fastify itself manages on this machine. Bodies come as JSON in argv[2]; listens on argv[3].
import Fastify from 'fastify';

const bodies = JSON.parse(process.argv[2]);
const port = Number(process.argv[3]);
const app = Fastify({ logger: false });

app.get('/health', async () => bodies.health);
app.get('/tasks', async () => bodies.tasks);
app.post('/tasks', async (request, reply) => {
  void request.body;
  return reply.code(201).send(bodies.task);
});

await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
