import { z } from 'zod';
import { text, userPathSchema } from './common';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;

const title = text({
  min: 1,
  max: TITLE_MAX,
  trim: true,
  message: `must be 1-${TITLE_MAX} characters`,
});

const description = text({
  max: DESCRIPTION_MAX,
  message: `must be at most ${DESCRIPTION_MAX} characters`,
}).nullable();

export const taskSchema = z
  .object({
    id: z.number().int(),
    user_id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    completed: z.boolean(),
    created_at: z.string().describe('ISO 8601 timestamp'),
    updated_at: z.string().describe('ISO 8601 timestamp'),
  })
  .meta({ id: 'Task' });

export const taskListResponseSchema = z
  .object({ tasks: z.array(taskSchema).describe('Newest first') })
  .meta({ id: 'TaskList' });

export const taskCreateSchema = z
  .object({
    title,
    description: description.optional(),
  })
  .meta({ id: 'TaskCreate' });

export const taskUpdateSchema = z
  .object({
    title: title.optional(),
    description: description.optional(),
    completed: z.boolean().optional(),
  })
  .meta({ id: 'TaskUpdate' });

export const taskCompleteSchema = z.object({ completed: z.boolean() }).meta({ id: 'TaskComplete' });

export const taskPathSchema = userPathSchema.extend({
  task_id: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .positive('must be a positive whole number')
    .max(2_147_483_647, 'is out of range'),
});

export const TASK_STATUSES = ['all', 'pending', 'completed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type Task = z.infer<typeof taskSchema>;
export type TaskList = z.infer<typeof taskListResponseSchema>;
export type TaskCreate = z.input<typeof taskCreateSchema>;
export type TaskUpdate = z.input<typeof taskUpdateSchema>;
export type TaskComplete = z.infer<typeof taskCompleteSchema>;
