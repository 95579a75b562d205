import OpenAI from 'openai';
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { BackendConfig } from '@todo/config';
import {
  HISTORY_CONTEXT,
  type AssistantReply,
  type AssistantRequest,
  type ChatAssistant,
  type ToolCallRecord,
} from './assistant';
import { TOOL_NAMES, toolDescriptions, toolSchemas, type TaskTools } from './tools';

export type ModelConfig = Pick<
  BackendConfig,
  'OPENAI_API_KEY' | 'OPENROUTER_API_KEY' | 'OPENAI_BASE_URL' | 'OPENAI_MODEL' | 'OPENAI_TIMEOUT_MS'
>;

/** What the assistant needs from a logger (pino and Fastify's logger both fit). */
export interface AssistantLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** How many model round trips one chat message may take before the assistant stops asking. */
export const MAX_MODEL_ROUNDS = 6;

const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1';

export const MODEL_UNAVAILABLE =
  "Sorry, I couldn't reach the AI assistant just now 😕 Please try again in a moment.";
const TOO_MANY_STEPS =
  'Sorry, that took more steps than I can take for one message 😅 Could you break it into smaller requests?';

const SYSTEM_PROMPT = [
  "You are a friendly task assistant inside a todo app. You manage the user's tasks only through",
  'the tools add_task, list_tasks, complete_task, delete_task and update_task. Tasks are identified',
  'by their number (shown as #3); when the user names a task by its title, call list_tasks first to',
  'find its number. Never invent task numbers. After acting, confirm briefly and warmly what you did',
  '(for example "✅ Added task #4: buy milk"). If a request is not about tasks, say what you can help',
  'with. Keep answers short.',
].join(' ');

export const modelTools: ChatCompletionFunctionTool[] = TOOL_NAMES.map((name) => {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(toolSchemas[name], { io: 'input' });
  return {
    type: 'function',
    function: { name, description: toolDescriptions[name], parameters },
  };
});

/** The key to use, if any: OPENAI_API_KEY, else OPENROUTER_API_KEY. */
export function modelKey(config: ModelConfig): string | undefined {
  return config.OPENAI_API_KEY || config.OPENROUTER_API_KEY || undefined;
}

/**
 * The assistant backed by an OpenAI-compatible chat-completions API with tool calling. It loops
 * while the model asks for tools (at most MAX_MODEL_ROUNDS requests), running each tool for the
 * signed-in user only. A timeout, an HTTP error or an answer it cannot read ends the turn with a
 * friendly sentence and a logged error; tools that already ran are still reported.
 */
export class ModelAssistant implements ChatAssistant {
  readonly kind = 'model';
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly apiKey: string;

  constructor(
    config: ModelConfig,
    private readonly tools: TaskTools,
    private readonly logger: AssistantLogger,
  ) {
    const apiKey = modelKey(config);
    if (!apiKey) throw new Error('ModelAssistant needs OPENAI_API_KEY or OPENROUTER_API_KEY');
    this.apiKey = apiKey;
    this.model = config.OPENAI_MODEL;
    this.client = new OpenAI({
      apiKey,
      baseURL: config.OPENAI_BASE_URL ?? (config.OPENAI_API_KEY ? undefined : OPENROUTER_BASE_URL),
      timeout: config.OPENAI_TIMEOUT_MS,
      // One retry smooths over a dropped connection; more would keep the user waiting.
      maxRetries: 1,
    });
  }

  async reply({ userId, message, history }: AssistantRequest): Promise<AssistantReply> {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      ...history
        .slice(-HISTORY_CONTEXT)
        .map((turn) => ({ role: turn.role, content: turn.content })),
      { role: 'user', content: message },
    ];
    const toolCalls: ToolCallRecord[] = [];

    for (let round = 0; round < MAX_MODEL_ROUNDS; round++) {
      let answer: ModelAnswer;
      try {
        const completion = await this.client.chat.completions.create({
          model: this.model,
          messages,
          tools: modelTools,
          tool_choice: 'auto',
        });
        answer = readAnswer(completion);
      } catch (error) {
        this.logger.error(
          {
            error: describeError(error, this.apiKey),
            model: this.model,
            round,
            toolCalls: toolCalls.map((c) => c.name),
          },
          'chat model request failed',
        );
        return { response: withDoneSoFar(MODEL_UNAVAILABLE, toolCalls), toolCalls };
      }

      if (answer.toolCalls.length === 0) {
        return { response: answer.content || doneSummary(toolCalls), toolCalls };
      }

      messages.push({
        role: 'assistant',
        content: answer.content || null,
        tool_calls: answer.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      });
      for (const call of answer.toolCalls) {
        const args = parseArguments(call.arguments);
        const outcome =
          args === undefined
            ? { ok: false, message: 'The arguments were not valid JSON; send a JSON object.' }
            : await this.tools.run(userId, call.name, args);
        toolCalls.push({ name: call.name, arguments: args ?? call.arguments, ok: outcome.ok });
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(outcome) });
      }
    }

    this.logger.warn(
      { model: this.model, rounds: MAX_MODEL_ROUNDS, toolCalls: toolCalls.map((c) => c.name) },
      'chat model kept calling tools; stopped',
    );
    return { response: withDoneSoFar(TOO_MANY_STEPS, toolCalls), toolCalls };
  }
}

interface ModelAnswer {
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
}

class UnreadableAnswerError extends Error {
  override name = 'UnreadableAnswerError';
}

/** The parts of a completion the loop uses; anything else shaped wrong counts as garbage. */
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                type: z.string().optional(),
                function: z.object({ name: z.string(), arguments: z.string().default('{}') }),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1),
});

function readAnswer(completion: unknown): ModelAnswer {
  const parsed = completionSchema.safeParse(completion);
  if (!parsed.success) {
    throw new UnreadableAnswerError(
      `unexpected completion shape: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  const { message } = parsed.data.choices[0];
  return {
    content: message.content?.trim() ?? '',
    toolCalls: (message.tool_calls ?? [])
      .filter((call) => call.type === undefined || call.type === 'function')
      .map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      })),
  };
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text.trim() === '' ? '{}' : text);
  } catch {
    return undefined;
  }
}

/**
 * What went wrong, safe to log: providers echo (part of) the API key in some error messages
 * ("Incorrect API key provided: sk-ab***yz"), so anything shaped like a key is masked.
 */
function describeError(error: unknown, apiKey: string): ModelFailure {
  const redact = (text: string) =>
    text
      .split(apiKey)
      .join('[redacted]')
      .replace(/\b(?:sk|key|rk)-[\w*.-]{6,}/gi, '[redacted]');
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const failure: ModelFailure = {
    kind: failureKind(error),
    message: redact(error instanceof Error ? error.message : String(error)),
  };
  if (error instanceof OpenAI.APIError && error.status !== undefined) failure.status = error.status;
  if (cause) failure.cause = redact(`${cause.name}: ${cause.message}`);
  return failure;
}

interface ModelFailure {
  /** Stable across minified bundles, unlike class names. */
  kind: 'timeout' | 'connection' | 'http' | 'unreadable_answer' | 'other';
  message: string;
  status?: number;
  cause?: string;
}

function failureKind(error: unknown): ModelFailure['kind'] {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (error instanceof OpenAI.APIConnectionError) return 'connection';
  if (error instanceof OpenAI.APIError) return 'http';
  if (error instanceof UnreadableAnswerError) return 'unreadable_answer';
  // A body that is not JSON at all (compared by name: the parser may live in another realm).
  if ((error as { name?: unknown } | null)?.name === 'SyntaxError') return 'unreadable_answer';
  return 'other';
}

function doneSummary(toolCalls: ToolCallRecord[]): string {
  const succeeded = toolCalls.filter((call) => call.ok).map((call) => call.name);
  return succeeded.length > 0 ? `Done ✅ (${succeeded.join(', ')})` : 'Done ✅';
}

function withDoneSoFar(message: string, toolCalls: ToolCallRecord[]): string {
  const succeeded = toolCalls.filter((call) => call.ok).map((call) => call.name);
  return succeeded.length > 0 ? `${message} (Already done: ${succeeded.join(', ')}.)` : message;
}
