/**
 * The built-in command interpreter used when no language model is configured: a pure function
 * from one chat message to the intent it expresses. It knows nothing about the database, so a
 * task named by its title ("mark buy milk as done") stays a title reference here and is resolved
 * against the user's tasks by the assistant that runs the intent.
 */

export type TaskStatusFilter = 'all' | 'pending' | 'completed';

export type TaskRef = { kind: 'id'; id: number } | { kind: 'title'; title: string };

export type Intent =
  | { type: 'add_task'; title: string; description?: string }
  | { type: 'list_tasks'; status: TaskStatusFilter }
  | { type: 'complete_task'; refs: TaskRef[] }
  | { type: 'delete_task'; refs: TaskRef[] }
  | { type: 'update_task'; ref: TaskRef; title?: string; description?: string }
  | { type: 'reply'; reason: ReplyReason };

export type ReplyReason =
  | 'help'
  | 'greeting'
  | 'thanks'
  | 'missing_title'
  | 'missing_task'
  | 'missing_change'
  | 'bulk'
  | 'reopen'
  | 'unknown';

const POLITE_PREFIX =
  /^(?:(?:hey|hi|hello|ok(?:ay)?|alright|right|sure|yes|yeah|great|awesome|perfect|cool|nice|thanks|thank you|so|and|also|now|then)\b[\s,]*)*(?:(?:please|pls|plz|kindly|can you|could you|would you|will you|can u|i want to|i'd like to|i would like to|i wanna|let's|lets|go ahead and|just)\b[\s,]*)*/i;
const POLITE_SUFFIX = /[\s,]*(?:please|pls|plz|thanks|thank you|thx|for me|now)\s*$/i;
const TASK_WORD = String.raw`(?:tasks?|todos?|to-dos?|items?|reminders?)`;
const DONE_WORD = String.raw`(?:done|complete|completed|finished|checked(?: off)?|ticked(?: off)?)`;
const LIST_NOUN = String.raw`(?:(?:my|the)\s+)?(?:todo\s+|to-do\s+|task\s+)?(?:list|tasks|todos|to-dos)`;

/** Reads one message and says what the user asked for; never throws. */
export function interpret(message: string): Intent {
  const plain = message
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.!?]+$/u, '');
  const smallTalk = matchSmallTalk(plain);
  if (smallTalk) return smallTalk;
  const text = stripPoliteness(plain);
  if (text === '') return { type: 'reply', reason: 'help' };

  return matchCommand(text) ?? matchIntention(text) ?? { type: 'reply', reason: 'unknown' };
}

function matchCommand(text: string): Intent | undefined {
  return (
    matchReopen(text) ??
    matchUpdate(text) ??
    matchAdd(text) ??
    matchComplete(text) ??
    matchDelete(text) ??
    matchList(text) ??
    matchIncomplete(text)
  );
}

// "I need to buy milk" is a new task, unless what follows is itself a command ("I need to see my tasks").
function matchIntention(text: string): Intent | undefined {
  const match =
    /^(?:i need to|i have to|i've got to|i gotta|i must|i should|don't let me forget to|dont let me forget to)\s+(.+)$/i.exec(
      text,
    ) ?? /^(?:todo|to-do|to do|task|new task)\s*:\s*(.+)$/i.exec(text);
  if (!match) return undefined;
  return matchCommand(match[1]) ?? matchAdd(`add ${match[1]}`);
}

// There is no tool to reopen a task; say so rather than completing it by mistake.
function matchReopen(text: string): Intent | undefined {
  const reopen =
    /^(?:undo|uncomplete|un-complete|reopen|re-open|unmark|uncheck|untick|restore)\b/i.test(text) ||
    new RegExp(
      String.raw`^(?:mark|set|flag)\s+.+\s+(?:as\s+)?(?:not\s+${DONE_WORD}|undone|incomplete|unfinished|pending|open|to ?do)$`,
      'i',
    ).test(text);
  return reopen ? { type: 'reply', reason: 'reopen' } : undefined;
}

// "complete", "delete task", "edit task 3": a command that lacks its task or its change.
function matchIncomplete(text: string): Intent | undefined {
  if (
    new RegExp(
      String.raw`^(?:complete|finish|mark|delete|remove|erase|rename|check off)(?:\s+(?:a|the|this|that|my)?\s*${TASK_WORD})?$`,
      'i',
    ).test(text)
  ) {
    return { type: 'reply', reason: 'missing_task' };
  }
  if (/^(?:edit|change|update|modify|rename)\b/i.test(text)) {
    return { type: 'reply', reason: 'missing_change' };
  }
  return undefined;
}

function stripPoliteness(message: string): string {
  let text = message;
  let previous: string;
  do {
    previous = text;
    text = text.replace(POLITE_PREFIX, '').replace(POLITE_SUFFIX, '').trim();
  } while (text !== previous);
  return text;
}

function matchSmallTalk(text: string): Intent | undefined {
  if (
    /^(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening))(?:\s+there)?$/i.test(text)
  ) {
    return { type: 'reply', reason: 'greeting' };
  }
  if (
    /^(?:(?:great|awesome|perfect|cool|nice|ok|okay|good|lovely)[\s,!]*)?(?:thanks|thank you|thx|ty|cheers)(?:\s+(?:so much|a lot|very much|again|a bunch))?$/i.test(
      text,
    ) ||
    /^(?:great|awesome|perfect|cool|nice|lovely)$/i.test(text)
  ) {
    return { type: 'reply', reason: 'thanks' };
  }
  if (
    /^(?:help|\?|commands|menu|what can (?:you|i) do|how does this work|how do (?:i|you) use (?:this|you)|what do you do)$/i.test(
      text,
    )
  ) {
    return { type: 'reply', reason: 'help' };
  }
  return undefined;
}

// "add a task to buy milk", "add buy milk: 2 litres", "create a new task called X with description Y"
function matchAdd(text: string): Intent | undefined {
  const verb =
    /^(?:add|create|new|make|put|insert|remember(?: to)?|remind me to|note(?: down)?|jot down)\b\s*/i.exec(
      text,
    );
  if (!verb) return undefined;
  const remindsOfAction = /^(?:remember to|remind me to)\b/i.test(verb[0]);
  let rest = text.slice(verb[0].length);

  if (!remindsOfAction) {
    rest = rest.replace(/^(?:a|an|the|one|another|one more)\s+/i, '').replace(/^new\s+/i, '');
    // After a task word, "to" means "in order to" ("add a task to buy milk"); without one it
    // belongs to the title ("add toast" must not lose its "to").
    const withTaskWord = new RegExp(String.raw`^${TASK_WORD}\b\s*`, 'i').exec(rest);
    if (withTaskWord) {
      rest = rest
        .slice(withTaskWord[0].length)
        .replace(
          /^(?:(?:to|called|named|titled|for|that says|saying|about)\b|[:\-\u2013\u2014])\s*/i,
          '',
        );
    } else {
      rest = rest.replace(/^(?:called|named|titled)\s+/i, '');
    }
  }

  rest = rest
    .replace(new RegExp(String.raw`\s+(?:to|on|onto|in|into)\s+${LIST_NOUN}$`, 'i'), '')
    .replace(/^[:\-\u2013\u2014]\s*/, '')
    .trim();

  const { title, description } = splitDescription(rest);
  if (title === '') return { type: 'reply', reason: 'missing_title' };
  return description === undefined
    ? { type: 'add_task', title }
    : { type: 'add_task', title, description };
}

function splitDescription(text: string): { title: string; description?: string } {
  const separators = [
    /\s+(?:with|and)\s+(?:the\s+|a\s+)?(?:description|details?|notes?)\s*(?:of|:|saying|that says)?\s+/i,
    /\s*\((?:description|details?|notes?)?:?\s*(.*)\)$/i,
    /\s*:\s+/,
    /\s+[-\u2013\u2014]\s+/,
  ];
  for (const separator of separators) {
    const match = separator.exec(text);
    if (!match || match.index === 0) continue;
    const title = unquote(text.slice(0, match.index));
    const description = unquote(
      match[1] !== undefined ? match[1] : text.slice(match.index + match[0].length),
    );
    if (title !== '' && description !== '') return { title, description };
  }
  return { title: unquote(text) };
}

// "complete task 3", "mark buy milk as done", "task 3 is done", "I finished task 3 and 4"
function matchComplete(text: string): Intent | undefined {
  const patterns = [
    /^(?:complete|finish|finished|check off|tick off|cross off|close|done with|i(?:'ve| have)? (?:completed|finished|done)|i'm done with|i am done with)\s+(.+?)$/i,
    new RegExp(String.raw`^(?:mark|set|flag)\s+(.+?)\s+(?:as\s+)?${DONE_WORD}$`, 'i'),
    new RegExp(String.raw`^(?:check|tick|cross)\s+(.+?)\s+off$`, 'i'),
    new RegExp(String.raw`^(.+?)\s+(?:is|are)\s+(?:now\s+)?${DONE_WORD}$`, 'i'),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (!match) continue;
    const refs = parseRefs(match[1]);
    if (refs === 'bulk') return { type: 'reply', reason: 'bulk' };
    if (refs) return { type: 'complete_task', refs };
  }
  // Terse forms, only with task numbers: "done 3", "#3 done", "task 4 finished".
  const terse =
    /^(?:done|completed?|finished)\s+(?:with\s+)?(.+)$/i.exec(text) ??
    new RegExp(String.raw`^(.+?)\s+${DONE_WORD}$`, 'i').exec(text);
  const refs = terse ? parseRefs(terse[1]) : undefined;
  if (Array.isArray(refs) && refs.every((ref) => ref.kind === 'id')) {
    return { type: 'complete_task', refs };
  }
  return undefined;
}

// "delete task 3", "remove buy milk from my list", "get rid of tasks 2 and 5"
function matchDelete(text: string): Intent | undefined {
  if (
    new RegExp(
      String.raw`^(?:clear|empty|wipe|reset|purge)\s+(?:out\s+)?(?:all|everything|${LIST_NOUN}|all\s+${LIST_NOUN})$`,
      'i',
    ).test(text)
  ) {
    return { type: 'reply', reason: 'bulk' };
  }
  const match =
    /^(?:delete|remove|erase|drop|trash|discard|get rid of|cancel|forget(?: about)?|scratch)\s+(.+?)$/i.exec(
      text,
    );
  if (!match) return undefined;
  const target = match[1].replace(new RegExp(String.raw`\s+from\s+${LIST_NOUN}$`, 'i'), '');
  const refs = parseRefs(target);
  if (refs === 'bulk') return { type: 'reply', reason: 'bulk' };
  return refs ? { type: 'delete_task', refs } : undefined;
}

// "rename task 3 to call mom", "change the description of task 3 to ...", "update task 3's title to X"
function matchUpdate(text: string): Intent | undefined {
  const field = String.raw`(title|name|description|details?|notes?)`;
  const verbs = String.raw`(?:change|set|update|edit|modify|replace)`;
  const describe = /^describe\s+(.+?)\s+as\s+(.+)$/i.exec(text);
  if (describe) return updateIntent(describe[1], 'description', describe[2]);

  const rename = /^(?:rename|retitle)\s+(.+?)\s+(?:to|as|into)\s*:?\s+(.+)$/i.exec(text);
  if (rename) return updateIntent(rename[1], 'title', rename[2]);
  // "rename task 3 call mom"
  const renameNumbered = new RegExp(
    String.raw`^(?:rename|retitle)\s+((?:${TASK_WORD}\s*)?#?\d+)\s*:?\s+(.+)$`,
    'i',
  ).exec(text);
  if (renameNumbered) return updateIntent(renameNumbered[1], 'title', renameNumbered[2]);

  // "change the description of task 3 to X" / "set the title for buy milk to X"
  const fieldOf = new RegExp(
    String.raw`^${verbs}\s+(?:the\s+)?${field}\s+(?:of|for|on)\s+(.+?)\s+(?:to|as)\s*:?\s+(.+)$`,
    'i',
  ).exec(text);
  if (fieldOf) return updateIntent(fieldOf[2], fieldOf[1], fieldOf[3]);

  // "change task 3's description to X" / "update task 3 title to X"
  const possessive = new RegExp(
    String.raw`^${verbs}\s+(.+?)(?:'s|\u2019s)?\s+${field}\s+(?:to|as)\s*:?\s+(.+)$`,
    'i',
  ).exec(text);
  if (possessive) return updateIntent(possessive[1], possessive[2], possessive[3]);

  // "add a description to task 3: X"
  const addDescription = new RegExp(
    String.raw`^(?:add|put)\s+(?:a\s+|the\s+)?(description|details?|notes?)\s+(?:to|on|for)\s+(.+?)\s*:\s*(.+)$`,
    'i',
  ).exec(text);
  if (addDescription) return updateIntent(addDescription[2], 'description', addDescription[3]);

  // "change task 3 to call mom" (the title, as in rename)
  const changeTo = new RegExp(String.raw`^${verbs}\s+(.+?)\s+(?:to|into)\s*:?\s+(.+)$`, 'i').exec(
    text,
  );
  if (changeTo) {
    const ref = parseRefs(changeTo[1]);
    if (ref && ref !== 'bulk' && ref.length === 1 && ref[0].kind === 'id') {
      return updateIntent(changeTo[1], 'title', changeTo[2]);
    }
  }
  return undefined;
}

function updateIntent(target: string, field: string, value: string): Intent | undefined {
  const refs = parseRefs(target);
  if (refs === 'bulk') return { type: 'reply', reason: 'bulk' };
  if (!refs || refs.length !== 1) return undefined;
  const newValue = unquote(value);
  if (newValue === '') return undefined;
  return /^(?:title|name)$/i.test(field)
    ? { type: 'update_task', ref: refs[0], title: newValue }
    : { type: 'update_task', ref: refs[0], description: newValue };
}

/**
 * Turns "task 3", "#3", "tasks 3 and 4", "the buy milk task" or "'buy milk'" into references;
 * `'bulk'` for "all tasks" and the like, which the tools cannot do in one step.
 */
function parseRefs(raw: string): TaskRef[] | 'bulk' | undefined {
  const target = raw.trim();
  if (
    new RegExp(
      String.raw`^(?:all|every|everything|each)(?:\s+(?:of\s+)?(?:my|the)?\s*(?:\w+\s+)?${TASK_WORD})?$`,
      'i',
    ).test(target) ||
    new RegExp(
      String.raw`^(?:my|the)?\s*(?:pending|completed|done|finished|old)\s+${TASK_WORD}$`,
      'i',
    ).test(target)
  ) {
    return 'bulk';
  }
  const spelled = new RegExp(
    String.raw`^(?:(?:the\s+)?${TASK_WORD}\s+)(?:number\s+)?(${Object.keys(NUMBER_WORDS).join('|')})$`,
    'i',
  ).exec(target);
  if (spelled) return [{ kind: 'id', id: NUMBER_WORDS[spelled[1].toLowerCase()] }];
  const ids = new RegExp(
    String.raw`^(?:(?:the\s+)?${TASK_WORD}\s*)?(?:(?:number|no\.?|id)\s*)?#?(\d+(?:\s*(?:,|and|&|\+)\s*(?:${TASK_WORD}\s*)?#?\d+)*)$`,
    'i',
  ).exec(target);
  if (ids) {
    const numbers = ids[1].match(/\d+/g) ?? [];
    const unique = [...new Set(numbers.map(Number))];
    return unique.map((id) => ({ kind: 'id', id }));
  }
  const title = unquote(
    target
      .replace(/^(?:the|my)\s+/i, '')
      .replace(new RegExp(String.raw`^${TASK_WORD}\s+(?:called|named|titled)?\s*`, 'i'), '')
      .replace(new RegExp(String.raw`\s+${TASK_WORD}$`, 'i'), ''),
  );
  if (
    title === '' ||
    new RegExp(String.raw`^(?:it|that|this|one|${TASK_WORD})$`, 'i').test(title)
  ) {
    return undefined;
  }
  return [{ kind: 'title', title }];
}

const NUMBER_WORDS: Record<string, number> = Object.fromEntries(
  [
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
    'fifteen',
    'sixteen',
    'seventeen',
    'eighteen',
    'nineteen',
    'twenty',
  ].map((word, index) => [word, index + 1]),
);

function unquote(text: string): string {
  return text
    .trim()
    .replace(/^(["'\u201c\u201d\u2018\u2019`])(.*)\1$/su, '$2')
    .replace(/^["\u201c\u2018](.*)["\u201d\u2019]$/su, '$1')
    .trim();
}

// "show my tasks", "what's pending", "list completed tasks", "what have I finished"
function matchList(text: string): Intent | undefined {
  if (/^(?:show|list|display|view|see)(?:\s+(?:me\s+)?(?:all|everything|it all))?$/i.test(text)) {
    return { type: 'list_tasks', status: 'all' };
  }
  if (
    /^what (?:have|did) i (?:do|done|complete|completed|finish|finished|get done|got done)\b/i.test(
      text,
    )
  ) {
    return { type: 'list_tasks', status: 'completed' };
  }
  const asksToSee =
    /^(?:show|list|display|view|see|get|give me|tell me|print|what|which|whats|how many|do i have|have i|any|are there)\b/i.test(
      text,
    ) ||
    new RegExp(
      String.raw`^(?:(?:all|my|all my|the)\s+)?(?:(?:pending|open|completed|done|finished|remaining|incomplete|unfinished)\s+)?${TASK_WORD}$`,
      'i',
    ).test(text) ||
    /^(?:(?:my|the)\s+)?(?:todo|to-do|to do|task)\s+list$/i.test(text);
  const mentionsTasks = new RegExp(
    String.raw`\b${TASK_WORD}\b|\blist\b|\bleft\b|\bpending\b|\b(?:to do|todo)\b|\bdone\b|\bcompleted?\b|\bfinish(?:ed)?\b|\bplate\b|\bagenda\b`,
    'i',
  ).test(text);
  if (!asksToSee || !mentionsTasks) return undefined;

  if (
    /\b(?:pending|open|remaining|outstanding|incomplete|unfinished|not (?:yet )?(?:done|completed|finished)|undone|left|still (?:to do|todo)|to do|todo|active)\b/i.test(
      text,
    ) &&
    !/\b(?:todo|to-do|to do)\s+list\b/i.test(text) &&
    !/^(?:my|the|all)?\s*todos?$/i.test(text)
  ) {
    return { type: 'list_tasks', status: 'pending' };
  }
  if (/\b(?:completed?|done|finished|closed|checked off)\b/i.test(text)) {
    return { type: 'list_tasks', status: 'completed' };
  }
  return { type: 'list_tasks', status: 'all' };
}
