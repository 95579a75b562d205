import fc from 'fast-check';
import { interpret, type Intent } from './interpreter';

const id = (n: number) => ({ kind: 'id' as const, id: n });
const titled = (title: string) => ({ kind: 'title' as const, title });

describe('interpret', () => {
  describe('adding a task', () => {
    it.each<[string, Intent]>([
      ['add a task to buy milk', { type: 'add_task', title: 'buy milk' }],
      ['add buy milk: 2 litres', { type: 'add_task', title: 'buy milk', description: '2 litres' }],
      [
        'Add a task to buy milk: 2 litres',
        { type: 'add_task', title: 'buy milk', description: '2 litres' },
      ],
      ['add buy milk', { type: 'add_task', title: 'buy milk' }],
      ['add toast to my list', { type: 'add_task', title: 'toast' }],
      ['Please add "call mom" to my todo list!', { type: 'add_task', title: 'call mom' }],
      ['create a new task called Pay rent', { type: 'add_task', title: 'Pay rent' }],
      ['new task: water the plants', { type: 'add_task', title: 'water the plants' }],
      ['remind me to call the dentist', { type: 'add_task', title: 'call the dentist' }],
      [
        'add a task to file taxes with description before April 15',
        { type: 'add_task', title: 'file taxes', description: 'before April 15' },
      ],
      ['can you add task go running please', { type: 'add_task', title: 'go running' }],
      ['I need to buy milk', { type: 'add_task', title: 'buy milk' }],
      ['todo: renew passport', { type: 'add_task', title: 'renew passport' }],
      ['great, add a task to call Bob', { type: 'add_task', title: 'call Bob' }],
      // Phones and word processors type typographic dashes and quotes.
      ['add a task – call mom', { type: 'add_task', title: 'call mom' }],
      ['add buy milk — 2 litres', { type: 'add_task', title: 'buy milk', description: '2 litres' }],
      ['add “call mom”', { type: 'add_task', title: 'call mom' }],
    ])('%s', (message, intent) => {
      expect(interpret(message)).toEqual(intent);
    });

    it('keeps the words of the title as the user wrote them', () => {
      expect(interpret('add Book flights to Lisbon')).toEqual({
        type: 'add_task',
        title: 'Book flights to Lisbon',
      });
    });

    it('asks for a title when none was given', () => {
      expect(interpret('add a task')).toEqual({ type: 'reply', reason: 'missing_title' });
    });
  });

  describe('listing tasks', () => {
    it.each<[string, 'all' | 'pending' | 'completed']>([
      ['show my tasks', 'all'],
      ['list tasks', 'all'],
      ['What are my tasks?', 'all'],
      ['tasks', 'all'],
      ['my todo list', 'all'],
      ['show me my to do list', 'all'],
      ['show pending tasks', 'pending'],
      ["what's left to do", 'pending'],
      ['show incomplete tasks', 'pending'],
      ['which tasks are not done yet', 'pending'],
      ['show completed tasks', 'completed'],
      ['list my finished tasks', 'completed'],
      ['what have I done', 'completed'],
      ['what did I finish', 'completed'],
      ['what tasks are pending', 'pending'],
      ['show', 'all'],
      ['show me everything', 'all'],
      ['I need to see my tasks', 'all'],
    ])('%s → %s', (message, status) => {
      expect(interpret(message)).toEqual({ type: 'list_tasks', status });
    });
  });

  describe('completing tasks', () => {
    it.each<[string, Intent]>([
      ['complete task 3', { type: 'complete_task', refs: [id(3)] }],
      ['complete #3', { type: 'complete_task', refs: [id(3)] }],
      ['mark task 3 as done', { type: 'complete_task', refs: [id(3)] }],
      ['mark buy milk as done', { type: 'complete_task', refs: [titled('buy milk')] }],
      ['Mark "Buy milk" as complete', { type: 'complete_task', refs: [titled('Buy milk')] }],
      ['Mark “Buy milk” as complete', { type: 'complete_task', refs: [titled('Buy milk')] }],
      ['mark ‘buy milk’ as done', { type: 'complete_task', refs: [titled('buy milk')] }],
      ['task 7 is done', { type: 'complete_task', refs: [id(7)] }],
      ['I finished task 2', { type: 'complete_task', refs: [id(2)] }],
      ['complete tasks 3 and 5', { type: 'complete_task', refs: [id(3), id(5)] }],
      ['finish the laundry task', { type: 'complete_task', refs: [titled('laundry')] }],
      ['check off buy milk', { type: 'complete_task', refs: [titled('buy milk')] }],
      ['done 3', { type: 'complete_task', refs: [id(3)] }],
      ['#3 done', { type: 'complete_task', refs: [id(3)] }],
    ])('%s', (message, intent) => {
      expect(interpret(message)).toEqual(intent);
    });
  });

  describe('deleting tasks', () => {
    it.each<[string, Intent]>([
      ['delete task 3', { type: 'delete_task', refs: [id(3)] }],
      ['remove task #12', { type: 'delete_task', refs: [id(12)] }],
      ['delete buy milk', { type: 'delete_task', refs: [titled('buy milk')] }],
      ['remove buy milk from my list', { type: 'delete_task', refs: [titled('buy milk')] }],
      ['get rid of tasks 1, 2 and 4', { type: 'delete_task', refs: [id(1), id(2), id(4)] }],
      ['delete task three', { type: 'delete_task', refs: [id(3)] }],
    ])('%s', (message, intent) => {
      expect(interpret(message)).toEqual(intent);
    });

    it('declines "delete all tasks" instead of guessing, since the tools work one task at a time', () => {
      expect(interpret('delete all my tasks')).toEqual({ type: 'reply', reason: 'bulk' });
      expect(interpret('remove completed tasks')).toEqual({ type: 'reply', reason: 'bulk' });
      expect(interpret('clear my list')).toEqual({ type: 'reply', reason: 'bulk' });
    });
  });

  describe('updating tasks', () => {
    it.each<[string, Intent]>([
      ['rename task 3 to call mom', { type: 'update_task', ref: id(3), title: 'call mom' }],
      [
        'change the description of task 3 to bring the blue folder',
        { type: 'update_task', ref: id(3), description: 'bring the blue folder' },
      ],
      [
        "change task 3's description to ask about the invoice",
        { type: 'update_task', ref: id(3), description: 'ask about the invoice' },
      ],
      [
        'update task 4 title to Pay the rent',
        { type: 'update_task', ref: id(4), title: 'Pay the rent' },
      ],
      [
        'change task 5 to go to the gym',
        { type: 'update_task', ref: id(5), title: 'go to the gym' },
      ],
      [
        'rename buy milk to buy oat milk',
        { type: 'update_task', ref: titled('buy milk'), title: 'buy oat milk' },
      ],
      [
        'set the description of buy milk to: 2 litres, semi-skimmed',
        { type: 'update_task', ref: titled('buy milk'), description: '2 litres, semi-skimmed' },
      ],
      [
        'add a description to task 2: call before noon',
        { type: 'update_task', ref: id(2), description: 'call before noon' },
      ],
      [
        'describe task 9 as the big one',
        { type: 'update_task', ref: id(9), description: 'the big one' },
      ],
      ['rename task 3 call mom', { type: 'update_task', ref: id(3), title: 'call mom' }],
      [
        'change buy milk’s description to 2 litres',
        { type: 'update_task', ref: titled('buy milk'), description: '2 litres' },
      ],
    ])('%s', (message, intent) => {
      expect(interpret(message)).toEqual(intent);
    });
  });

  describe('anything else', () => {
    it.each([
      ['hello', 'greeting'],
      ['Thanks!', 'thanks'],
      ['help', 'help'],
      ['what can you do?', 'help'],
      ['', 'help'],
      ['what is the weather in Paris', 'unknown'],
      ['asdfghjkl', 'unknown'],
      ['buy milk', 'unknown'],
      ['great, thanks', 'thanks'],
      ['complete', 'missing_task'],
      ['delete the task', 'missing_task'],
      ['edit task 3', 'missing_change'],
      ['mark task 3 as not done', 'reopen'],
      ['undo task 3', 'reopen'],
    ])('%s → %s reply', (message, reason) => {
      expect(interpret(message)).toEqual({ type: 'reply', reason });
    });
  });

  describe('any text at all', () => {
    it('yields an intent, never an exception, and never an empty title or description', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 300 }), (text) => {
          const intent = interpret(text);
          expect([
            'add_task',
            'list_tasks',
            'complete_task',
            'delete_task',
            'update_task',
            'reply',
          ]).toContain(intent.type);
          if (intent.type === 'add_task') {
            expect(intent.title.trim()).not.toBe('');
            if (intent.description !== undefined) expect(intent.description.trim()).not.toBe('');
          }
          if (intent.type === 'update_task') {
            expect(intent.title ?? intent.description).toBeTruthy();
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('keeps the title the user gives after "add a task to"', () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[a-z][a-z ]{0,40}[a-z]$/).filter((title) => !/\s{2}/.test(title)),
          (title) => {
            const intent = interpret(`add a task to ${title}`);
            expect(intent).toMatchObject({ type: 'add_task' });
            expect(title).toContain((intent as { title: string }).title);
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
