import { z } from 'zod';
import {
  DESCRIPTION_MAX,
  TASK_STATUSES,
  text,
  TITLE_MAX,
  type Task,
  type TaskStatus,
} from '@todo/api-contract';
import type { TaskService } from '../tasks/service';

/**
 * The five task tools, shared by the command interpreter, the language model and MCP clients.
 * Every call is scoped to one user; every failure a user can cause (bad arguments, a task that
 * is not theirs or does not exist) comes back as a friendly message, never as an exception.
 */

export type TaskOperations = Pick<TaskService, 'list' | 'create' | 'get' | 'update' | 'remove'>;

const taskId = z.coerce
  .number({ error: 'must be a task number' })
  .int('must be a whole number')
  .positive('must be a positive whole number')
  .max(2_147_483_647, 'is out of range')
  .describe('The number of the task, as shown by list_tasks (e.g. 3 for "#3")');

const title = text({
  min: 1,
  max: TITLE_MAX,
  trim: true,
  message: `must be 1-${TITLE_MAX} characters`,
  typeError: 'must be text',
});

const description = text({
  max: DESCRIPTION_MAX,
  trim: true,
  message: `must be at most ${DESCRIPTION_MAX} characters`,
  typeError: 'must be text',
});

export const toolInputShapes = {
  add_task: {
    title: title.describe('Short title of the task, e.g. "buy milk"'),
    description: description.optional().describe('Optional details, e.g. "2 litres"'),
  },
  list_tasks: {
    status: z
      .enum(TASK_STATUSES, { error: `must be one of: ${TASK_STATUSES.join(', ')}` })
      .default('all')
      .describe('Which tasks: all, pending (not done) or completed'),
  },
  complete_task: { task_id: taskId },
  delete_task: { task_id: taskId },
  update_task: {
    task_id: taskId,
    title: title.optional().describe('The new title, if it changes'),
    description: description.optional().describe('The new description, if it changes'),
  },
} as const;

export type ToolName = keyof typeof toolInputShapes;
export const TOOL_NAMES = Object.keys(toolInputShapes) as ToolName[];

export const toolDescriptions: Record<ToolName, string> = {
  add_task: "Add a new task to the user's todo list.",
  list_tasks: "List the user's tasks: all of them, only pending ones, or only completed ones.",
  complete_task: "Mark one of the user's tasks as completed, by its number.",
  delete_task: "Delete one of the user's tasks, by its number.",
  update_task: "Change the title and/or the description of one of the user's tasks, by its number.",
};

export const toolSchemas = Object.fromEntries(
  TOOL_NAMES.map((name) => [name, z.object(toolInputShapes[name]).strict()]),
) as { [N in ToolName]: z.ZodObject<(typeof toolInputShapes)[N]> };

export type ToolArguments = { [N in ToolName]: z.output<(typeof toolSchemas)[N]> };

export interface ToolOutcome {
  /** False when the tool could not do what was asked; `message` then says why. */
  ok: boolean;
  /** A sentence for the user, in the assistant's friendly style. */
  message: string;
  task?: Task;
  tasks?: Task[];
}

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(toolInputShapes, name);
}

export class TaskTools {
  constructor(private readonly tasks: TaskOperations) {}

  /** Validates `rawArguments` for the tool `name` and runs it for `userId`. */
  async run(userId: string, name: string, rawArguments: unknown): Promise<ToolOutcome> {
    if (!isToolName(name)) {
      return {
        ok: false,
        message: `I don't have a tool called "${name}". I can use: ${TOOL_NAMES.join(', ')}.`,
      };
    }
    const parsed = toolSchemas[name].safeParse(rawArguments ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        message: `⚠️ I couldn't ${ACTIONS[name]}: ${describeIssues(parsed.error, rawArguments)}.`,
      };
    }
    switch (name) {
      case 'add_task':
        return this.add(userId, parsed.data as ToolArguments['add_task']);
      case 'list_tasks':
        return this.list(userId, (parsed.data as ToolArguments['list_tasks']).status);
      case 'complete_task':
        return this.complete(userId, (parsed.data as ToolArguments['complete_task']).task_id);
      case 'delete_task':
        return this.remove(userId, (parsed.data as ToolArguments['delete_task']).task_id);
      case 'update_task':
        return this.update(userId, parsed.data as ToolArguments['update_task']);
    }
  }

  private async add(userId: string, args: ToolArguments['add_task']): Promise<ToolOutcome> {
    const task = await this.tasks.create(userId, {
      title: args.title,
      description: args.description ? args.description : null,
    });
    return { ok: true, message: `✅ Added task #${task.id}: ${describeTask(task)}`, task };
  }

  private async list(userId: string, status: TaskStatus): Promise<ToolOutcome> {
    const tasks = await this.tasks.list(userId, status);
    if (tasks.length === 0) return { ok: true, message: EMPTY_LIST[status], tasks };
    const lines = tasks.map(
      (task) => `${task.completed ? '✅' : '⬜'} #${task.id} ${describeTask(task)}`,
    );
    return {
      ok: true,
      message: `${LIST_HEADING[status](tasks.length)}\n${lines.join('\n')}`,
      tasks,
    };
  }

  private async complete(userId: string, id: number): Promise<ToolOutcome> {
    const existing = await this.tasks.get(userId, id);
    if (!existing) return notFound(id);
    if (existing.completed) {
      return {
        ok: true,
        message: `👍 Task #${id} was already complete: ${existing.title}`,
        task: existing,
      };
    }
    const task = await this.tasks.update(userId, id, { completed: true });
    if (!task) return notFound(id);
    return { ok: true, message: `✅ Marked task #${id} as complete: ${task.title}`, task };
  }

  private async remove(userId: string, id: number): Promise<ToolOutcome> {
    const existing = await this.tasks.get(userId, id);
    if (!existing || !(await this.tasks.remove(userId, id))) return notFound(id);
    return { ok: true, message: `🗑️ Deleted task #${id}: ${existing.title}`, task: existing };
  }

  private async update(userId: string, args: ToolArguments['update_task']): Promise<ToolOutcome> {
    if (args.title === undefined && args.description === undefined) {
      return {
        ok: false,
        message: `⚠️ Tell me what to change on task #${args.task_id}: a new title or a new description.`,
      };
    }
    const task = await this.tasks.update(userId, args.task_id, {
      title: args.title,
      // An empty description clears it.
      description: args.description === undefined ? undefined : args.description || null,
    });
    if (!task) return notFound(args.task_id);
    const message =
      args.title !== undefined && args.description !== undefined
        ? `✏️ Updated task #${task.id}: ${describeTask(task)}`
        : args.title !== undefined
          ? `✏️ Renamed task #${task.id} to: ${task.title}`
          : task.description
            ? `✏️ Updated the description of task #${task.id} (${task.title}): ${task.description}`
            : `✏️ Removed the description of task #${task.id} (${task.title})`;
    return { ok: true, message, task };
  }
}

const ACTIONS: Record<ToolName, string> = {
  add_task: 'add that task',
  list_tasks: 'list your tasks',
  complete_task: 'complete that task',
  delete_task: 'delete that task',
  update_task: 'update that task',
};

const LIST_HEADING: Record<TaskStatus, (count: number) => string> = {
  all: (n) => `📋 You have ${n} ${n === 1 ? 'task' : 'tasks'}:`,
  pending: (n) => `📋 You have ${n} pending ${n === 1 ? 'task' : 'tasks'}:`,
  completed: (n) => `🎉 You have completed ${n} ${n === 1 ? 'task' : 'tasks'}:`,
};

const EMPTY_LIST: Record<TaskStatus, string> = {
  all: '📭 You have no tasks yet. Try "add a task to buy milk".',
  pending: "🎉 No pending tasks — you're all caught up!",
  completed: 'No completed tasks yet. Finish one with "complete task <number>".',
};

function describeTask(task: Pick<Task, 'title' | 'description'>): string {
  return task.description ? `${task.title} — ${task.description}` : task.title;
}

function notFound(id: number): ToolOutcome {
  return {
    ok: false,
    message: `❓ I couldn't find task #${id}. Say "show my tasks" to see your tasks and their numbers.`,
  };
}

/** "title must be 1-200 characters; task_id is required" */
function describeIssues(error: z.ZodError, rawArguments: unknown): string {
  const given = (field: PropertyKey) =>
    typeof rawArguments === 'object' && rawArguments !== null && field in rawArguments;
  return error.issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') return `unknown ${issue.keys.join(', ')}`;
      if (issue.path.length === 1 && !given(issue.path[0])) return `${field} is required`;
      return field ? `${field} ${issue.message}` : issue.message;
    })
    .join('; ');
}
