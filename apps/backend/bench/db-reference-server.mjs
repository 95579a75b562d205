// The benchmark's database reference: a bare Fastify that lists a user's tasks with the same SQL
// and the same driver and pool size as the backend, but without authentication, logging, hooks,
// schemas or an ORM. Between the in-memory ceiling and this server lies the cost of the database
// round trip on this machine; between this server and the backend lies the cost of the backend's
// own code. Connection string in argv[2]; listens on argv[3].
import Fastify from 'fastify';
import pg from 'pg';

const [url, port] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 10 });
const app = Fastify({ logger: false });

// Keep in step with TaskService's list query (apps/backend/src/tasks/service.ts).
const iso = (column) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const listTasks = {
  name: 'reference_tasks_list',
  text: `select id, user_id, title, description, completed, ${iso('created_at')} as created_at,
    ${iso('updated_at')} as updated_at from tasks where user_id = $1
    order by tasks.created_at desc, tasks.id desc`,
};

app.get('/api/:userId/tasks', async (request) => {
  const { rows } = await pool.query({ ...listTasks, values: [request.params.userId] });
  return { tasks: rows };
});

await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
