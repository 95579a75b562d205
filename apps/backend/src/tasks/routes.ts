import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  errorResponseSchema,
  taskCompleteSchema,
  taskCreateSchema,
  taskListResponseSchema,
  taskPathSchema,
  taskSchema,
  taskUpdateSchema,
  userPathSchema,
} from '@todo/api-contract';
import { requireUser } from '../auth/plugin';
import { notFound } from '../http/errors';
import type { TaskService } from './service';

const TASK_NOT_FOUND = 'Task not found';
const errors = { 401: errorResponseSchema, 404: errorResponseSchema, 422: errorResponseSchema };
const security = [{ bearerAuth: [] }];

/** The signed-in user's tasks under /api/{user_id}/tasks. */
export const taskRoutes: FastifyPluginAsync<{ tasks: TaskService }> = async (app, { tasks }) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  // onRequest, so an unauthenticated caller is turned away before its body is even read.
  routes.addHook('onRequest', app.authenticate);

  const userId = (request: FastifyRequest) => requireUser(request).id;

  routes.get(
    '/api/:user_id/tasks',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'listTasks',
        summary: 'List tasks, newest first',
        security,
        params: userPathSchema,
        response: { 200: taskListResponseSchema, ...errors },
      },
    },
    async (request) => ({ tasks: await tasks.list(userId(request)) }),
  );

  routes.post(
    '/api/:user_id/tasks',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'createTask',
        summary: 'Create a task',
        security,
        params: userPathSchema,
        body: taskCreateSchema,
        response: { 201: taskSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await tasks.create(userId(request), request.body)),
  );

  routes.get(
    '/api/:user_id/tasks/:task_id',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'getTask',
        summary: 'Read one task',
        security,
        params: taskPathSchema,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request) => {
      const task = await tasks.get(userId(request), request.params.task_id);
      if (!task) throw notFound(TASK_NOT_FOUND);
      return task;
    },
  );

  routes.put(
    '/api/:user_id/tasks/:task_id',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'updateTask',
        summary: 'Change a task (only the fields sent)',
        security,
        params: taskPathSchema,
        body: taskUpdateSchema,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request) => {
      const task = await tasks.update(userId(request), request.params.task_id, request.body);
      if (!task) throw notFound(TASK_NOT_FOUND);
      return task;
    },
  );

  routes.patch(
    '/api/:user_id/tasks/:task_id/complete',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'setTaskCompleted',
        summary: 'Mark a task completed or pending',
        security,
        params: taskPathSchema,
        body: taskCompleteSchema,
        response: { 200: taskSchema, ...errors },
      },
    },
    async (request) => {
      const task = await tasks.setCompleted(
        userId(request),
        request.params.task_id,
        request.body.completed,
      );
      if (!task) throw notFound(TASK_NOT_FOUND);
      return task;
    },
  );

  routes.delete(
    '/api/:user_id/tasks/:task_id',
    {
      schema: {
        tags: ['tasks'],
        operationId: 'deleteTask',
        summary: 'Delete a task',
        security,
        params: taskPathSchema,
        response: { 204: z.null().describe('Deleted'), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await tasks.remove(userId(request), request.params.task_id)))
        throw notFound(TASK_NOT_FOUND);
      return reply.code(204).send(null);
    },
  );
};
