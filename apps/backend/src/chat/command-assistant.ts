import type { Task } from '@todo/api-contract';
import type { AssistantReply, AssistantRequest, ChatAssistant, ToolCallRecord } from './assistant';
import { interpret, type ReplyReason, type TaskRef } from './interpreter';
import type { TaskOperations, TaskTools, ToolName } from './tools';

export const CAPABILITIES = [
  'Here is what I can do:',
  '• Add a task — "add a task to buy milk" or "add buy milk: 2 litres"',
  '• Show tasks — "show my tasks", "show pending tasks" or "show completed tasks"',
  '• Complete a task — "complete task 3" or "mark buy milk as done"',
  '• Delete a task — "delete task 3"',
  '• Rename a task — "rename task 3 to call mom"',
  '• Change a description — "change the description of task 3 to 2 litres"',
].join('\n');

const REPLIES: Record<ReplyReason, string> = {
  greeting: `Hi there! 👋 I'm your task assistant.\n${CAPABILITIES}`,
  help: `I'm your task assistant 🤖\n${CAPABILITIES}`,
  thanks: 'You\'re welcome! 😊 Anything else? Say "help" to see what I can do.',
  missing_title: 'What should the task be called? Try "add a task to buy milk".',
  missing_task:
    'Which task? Use its number, e.g. "complete task 3" or "delete task 3" — "show my tasks" shows the numbers.',
  missing_change:
    'What should change? Try "rename task 3 to call mom" or "change the description of task 3 to 2 litres".',
  reopen:
    "I can't reopen a finished task from the chat yet — untick it in your task list instead. I can add, show, complete, delete, rename or re-describe tasks.",
  bulk: 'I work on one task at a time — say "delete task 3" or "complete tasks 3 and 4". Say "show my tasks" to see their numbers.',
  unknown: `Sorry, I didn't quite get that 🤔\n${CAPABILITIES}`,
};

/**
 * The assistant used when no language model is configured: the deterministic interpreter
 * decides which tools to run, and the tools' own sentences make up the answer.
 */
export class CommandAssistant implements ChatAssistant {
  readonly kind = 'commands';

  constructor(
    private readonly tools: TaskTools,
    private readonly tasks: Pick<TaskOperations, 'list'>,
  ) {}

  async reply({ userId, message }: AssistantRequest): Promise<AssistantReply> {
    const intent = interpret(message);
    const calls: ToolCallRecord[] = [];
    const lines: string[] = [];
    const run = async (name: ToolName, args: Record<string, unknown>) => {
      const outcome = await this.tools.run(userId, name, args);
      calls.push({ name, arguments: args, ok: outcome.ok });
      lines.push(outcome.message);
    };

    switch (intent.type) {
      case 'reply':
        return { response: REPLIES[intent.reason], toolCalls: [] };
      case 'add_task':
        await run('add_task', { title: intent.title, description: intent.description });
        break;
      case 'list_tasks':
        await run('list_tasks', { status: intent.status });
        break;
      case 'complete_task':
      case 'delete_task':
        for (const ref of intent.refs) {
          const found = await this.resolve(userId, ref, intent.type === 'complete_task');
          if (typeof found === 'string') lines.push(found);
          else await run(intent.type, { task_id: found });
        }
        break;
      case 'update_task': {
        const found = await this.resolve(userId, intent.ref, false);
        if (typeof found === 'string') lines.push(found);
        else {
          await run('update_task', {
            task_id: found,
            title: intent.title,
            description: intent.description,
          });
        }
        break;
      }
    }
    return { response: lines.join('\n'), toolCalls: calls };
  }

  /**
   * A task number as given, or the one task whose title matches: an exact match (ignoring case)
   * wins over a partial one; when completing, pending tasks win over finished ones. Returns a
   * sentence for the user when nothing or more than one task matches.
   */
  private async resolve(
    userId: string,
    ref: TaskRef,
    preferPending: boolean,
  ): Promise<number | string> {
    if (ref.kind === 'id') return ref.id;
    const wanted = ref.title.toLowerCase();
    const all = await this.tasks.list(userId, 'all');
    const exact = all.filter((task) => task.title.trim().toLowerCase() === wanted);
    const candidates =
      exact.length > 0 ? exact : all.filter((task) => task.title.toLowerCase().includes(wanted));
    const pending = candidates.filter((task) => !task.completed);
    const pick = preferPending && pending.length > 0 ? pending : candidates;

    if (pick.length === 1) return pick[0].id;
    if (pick.length === 0) {
      return `❓ I couldn't find a task called "${ref.title}". Say "show my tasks" to see your tasks.`;
    }
    return `🤔 More than one task matches "${ref.title}": ${listBriefly(pick)}. Which one? Use its number, e.g. "task ${pick[0].id}".`;
  }
}

function listBriefly(tasks: Task[]): string {
  return tasks.map((task) => `#${task.id} ${task.title}`).join(', ');
}
