import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { publicUserSchema, taskListResponseSchema } from '@todo/api-contract';
import { serializerCompiler } from './serializer';

describe('response serializer', () => {
  it('writes only the fields the response schema declares', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    const row = { id: 'u1', name: 'Ada', email: 'ada@example.com', password_hash: 'scrypt$secret' };
    app.get('/user', { schema: { response: { 200: publicUserSchema } } }, async () => row);
    app.get('/tasks', { schema: { response: { 200: taskListResponseSchema } } }, async () => ({
      tasks: [
        {
          id: 1,
          user_id: 'u1',
          title: 'T',
          description: null,
          completed: false,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
          internal_note: 'not for clients',
        },
      ],
    }));

    const user = await app.inject({ method: 'GET', url: '/user' });
    expect(user.json()).toEqual({ id: 'u1', name: 'Ada', email: 'ada@example.com' });
    const tasks = await app.inject({ method: 'GET', url: '/tasks' });
    expect(tasks.json().tasks[0]).not.toHaveProperty('internal_note');
    expect(tasks.json().tasks[0]).toMatchObject({ id: 1, description: null, completed: false });
    await app.close();
  });
});
