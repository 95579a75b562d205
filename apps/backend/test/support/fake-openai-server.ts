/**
 * A local stand-in for an OpenAI-compatible chat-completions API, for tests only.
 *
 * Why a double: a hosted model (OpenAI, OpenRouter) cannot be reached from the build machine,
 * and its answers are not deterministic anyway. This server speaks the wire format documented
 * in OpenAI's API reference for `POST /v1/chat/completions` with tools — bearer-key auth,
 * `choices[0].message.tool_calls[]` with `function.arguments` as a JSON string,
 * `finish_reason: "tool_calls"`, and `{"error": {...}}` bodies on failure — and replays the
 * answers a test scripts, one per request, recording every request it receives so the test can
 * check what the backend sent (the tools it offered, the tool results it returned).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: ChatCompletionRequestBody;
}

/** The parts of a chat-completions request the tests look at. */
export interface ChatCompletionRequestBody {
  model: string;
  messages: {
    role: string;
    content?: string | null;
    tool_call_id?: string;
    tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  }[];
  tools?: { type: string; function: { name: string; description?: string; parameters: unknown } }[];
  [key: string]: unknown;
}

export type FakeReply =
  /** 200 with this chat.completion object. */
  | { kind: 'completion'; body: unknown }
  /** Any status and raw body, e.g. a 500, HTML from a proxy, or truncated JSON. */
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  /** Never answers, as a model that is stuck; the connection is dropped when the server closes. */
  | { kind: 'hang' };

/** A scripted answer, or a function of the request (to echo a task id from a tool result). */
export type ScriptedReply = FakeReply | ((request: ReceivedRequest) => FakeReply);

export interface FakeOpenAIServer {
  /** Pass as OPENAI_BASE_URL. */
  baseURL: string;
  /** The key the server accepts (others get the documented 401). */
  apiKey: string;
  /** Every chat-completions request received, in order. */
  requests: ReceivedRequest[];
  /** Adds answers to the end of the script. */
  enqueue(...replies: ScriptedReply[]): void;
  /** How many scripted answers are still unused. */
  pending(): number;
  /** Forgets the script and the recorded requests (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  apiKey?: string;
  /** Used when the script is exhausted; by default a 500 that names the problem. */
  whenScriptEnds?: ScriptedReply;
}

const MODEL = 'gpt-4o-mini-2024-07-18';

export async function startFakeOpenAIServer(
  options: FakeOpenAIOptions = {},
): Promise<FakeOpenAIServer> {
  const apiKey = options.apiKey ?? `sk-test-${randomBytes(8).toString('hex')}`;
  const script: ScriptedReply[] = [];
  const requests: ReceivedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      sendJson(res, 500, apiError(`fake server failure: ${String(error)}`, 'server_error'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || !/\/chat\/completions$/.test(path)) {
      return sendJson(
        res,
        404,
        apiError(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error'),
      );
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      // The real API echoes a masked copy of the key it was given.
      const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const masked = `${given.slice(0, 8)}${'*'.repeat(Math.max(0, given.length - 12))}${given.slice(-4)}`;
      return sendJson(
        res,
        401,
        apiError(
          `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    const text = await readBody(req);
    let body: ChatCompletionRequestBody;
    try {
      body = JSON.parse(text) as ChatCompletionRequestBody;
    } catch {
      return sendJson(
        res,
        400,
        apiError('We could not parse the JSON body of your request.', 'invalid_request_error'),
      );
    }
    const request: ReceivedRequest = {
      method: req.method,
      path,
      authorization: req.headers.authorization,
      body,
    };
    requests.push(request);

    const next = script.shift() ??
      options.whenScriptEnds ?? {
        kind: 'raw',
        status: 500,
        body: JSON.stringify(
          apiError(
            `fake server: no scripted answer for request #${requests.length}`,
            'server_error',
          ),
        ),
      };
    const reply = typeof next === 'function' ? next(request) : next;
    switch (reply.kind) {
      case 'completion':
        return sendJson(res, 200, reply.body);
      case 'raw':
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
        res.end(reply.body);
        return;
      case 'hang':
        return;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    enqueue: (...replies) => void script.push(...replies),
    pending: () => script.length,
    reset: () => {
      script.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let callCounter = 0;

/** The model asks for one or more tool calls (`finish_reason: "tool_calls"`). */
export function toolCallsReply(...calls: { name: string; arguments: unknown }[]): FakeReply {
  return completion(
    {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: calls.map((call) => ({
        id: `call_${(++callCounter).toString().padStart(4, '0')}${randomBytes(6).toString('hex')}`,
        type: 'function',
        function: {
          name: call.name,
          // The API sends arguments as a JSON string, which is not guaranteed to be valid JSON.
          arguments:
            typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        },
      })),
    },
    'tool_calls',
  );
}

/** The model answers in words (`finish_reason: "stop"`). */
export function textReply(content: string): FakeReply {
  return completion({ role: 'assistant', content, refusal: null }, 'stop');
}

function completion(message: object, finishReason: string): FakeReply {
  return {
    kind: 'completion',
    body: {
      id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: MODEL,
      system_fingerprint: 'fp_fake0000',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: { prompt_tokens: 120, completion_tokens: 18, total_tokens: 138 },
    },
  };
}

/** The content of the tool results the backend sent back in this request, parsed. */
export function toolResults(
  request: ReceivedRequest,
): { tool_call_id: string; content: unknown }[] {
  return request.body.messages
    .filter((message) => message.role === 'tool')
    .map((message) => ({
      tool_call_id: message.tool_call_id ?? '',
      content: safeJson(message.content ?? ''),
    }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function apiError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
