'use client';

import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { ApiError, apiRequest, redirectToLogin } from '../lib/api-client';
import type { ChatMessage, ChatReply } from '../lib/types';
import { FormAlert } from './FormAlert';

const SUGGESTIONS = ['Show my tasks', 'Add a task to buy milk', 'Show my pending tasks'];

/** Talk to the task assistant: history on load, which tools ran per reply, and a clear button. */
export function ChatPanel() {
  const [messages, setMessages] = useState<ChatMessage[] | null>(null);
  const [draft, setDraft] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);
  const [confirmingClear, setConfirmingClear] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const conversationRef = useRef<HTMLElement>(null);

  const call = useCallback(async <T,>(path: string, init?: { method?: string; body?: unknown }) => {
    try {
      return await apiRequest<T>(path, init);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) redirectToLogin();
      throw caught;
    }
  }, []);

  useEffect(() => {
    call<{ messages: ChatMessage[] }>('/api/chat/history')
      .then(({ messages: history }) => setMessages(history))
      .catch((caught: unknown) => {
        setMessages([]);
        setError(
          caught instanceof ApiError ? caught.message : 'The conversation could not be loaded.',
        );
      });
  }, [call]);

  // Only the conversation scrolls to its newest message: scrolling the page to it (as
  // scrollIntoView does) pushed the message field and Send below the fold.
  useEffect(() => {
    const conversation = conversationRef.current;
    if (conversation) conversation.scrollTop = conversation.scrollHeight;
  }, [messages, sending]);

  async function send(text: string) {
    const message = text.trim();
    setError(undefined);
    setFieldError(undefined);
    if (!message) {
      setFieldError('Type a message first.');
      inputRef.current?.focus();
      return;
    }
    setSending(true);
    setMessages((current) => [...(current ?? []), { role: 'user', content: message }]);
    setDraft('');
    try {
      const reply = await call<ChatReply>('/api/chat', { method: 'POST', body: { message } });
      setMessages((current) => [
        ...(current ?? []),
        { role: 'assistant', content: reply.response, tool_calls: reply.tool_calls },
      ]);
    } catch (caught) {
      const apiError =
        caught instanceof ApiError ? caught : new ApiError(0, 'The assistant did not answer.');
      // Give the text back so nothing typed is lost.
      setMessages((current) => (current ?? []).slice(0, -1));
      setDraft(message);
      if (apiError.fields.message) setFieldError(apiError.fields.message);
      else setError(apiError.message);
    } finally {
      setSending(false);
      inputRef.current?.focus();
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void send(draft);
  }

  function sendOnEnter(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (!sending) void send(draft);
    }
  }

  async function clear() {
    setError(undefined);
    try {
      await call('/api/chat/history', { method: 'DELETE' });
      setMessages([]);
      setConfirmingClear(false);
      inputRef.current?.focus();
    } catch (caught) {
      setError(
        caught instanceof ApiError ? caught.message : 'The conversation could not be cleared.',
      );
    }
  }

  return (
    <div className="stack chat">
      <div className="list-header">
        <h1>Task assistant</h1>
        {confirmingClear ? (
          <div className="confirm" role="group" aria-label="Confirm clearing the conversation">
            <span>Clear the whole conversation?</span>
            <button type="button" className="button danger" onClick={() => void clear()}>
              Yes, clear
            </button>
            <button type="button" className="button" onClick={() => setConfirmingClear(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="button"
            onClick={() => setConfirmingClear(true)}
            disabled={!messages || messages.length === 0}
          >
            Clear conversation
          </button>
        )}
      </div>
      <p className="muted">
        Ask in plain words: add, list, complete, update or delete tasks, naming a task by its title
        or by the number the Tasks page shows on it (“complete task 12”). The tools the assistant
        used are listed under each answer.
      </p>
      <FormAlert message={error} />
      <section className="card conversation" aria-label="Conversation" ref={conversationRef}>
        {messages === null ? (
          <p className="muted" role="status">
            Loading the conversation…
          </p>
        ) : messages.length === 0 ? (
          <div className="empty">
            <p>No messages yet. Try one of these:</p>
            <ul className="suggestions">
              {SUGGESTIONS.map((suggestion) => (
                <li key={suggestion}>
                  <button
                    type="button"
                    className="button chip"
                    onClick={() => void send(suggestion)}
                    disabled={sending}
                  >
                    {suggestion}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <ol className="messages" aria-live="polite" aria-relevant="additions">
            {messages.map((message, index) => (
              <li
                key={index}
                className={`message ${message.role === 'user' ? 'from-user' : 'from-assistant'}`}
              >
                <span className="message-role">
                  {message.role === 'user' ? 'You' : 'Assistant'}
                </span>
                <p className="message-text">{message.content}</p>
                {message.tool_calls && message.tool_calls.length > 0 ? (
                  <p className="tools">
                    Tools used:{' '}
                    {message.tool_calls.map((tool, toolIndex) => (
                      <code key={`${tool}-${toolIndex}`} className="tool">
                        {tool}
                      </code>
                    ))}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        )}
        {sending ? (
          <p className="muted" role="status">
            The assistant is thinking…
          </p>
        ) : null}
      </section>
      <form className="card form chat-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="chat-message">Message</label>
          <textarea
            id="chat-message"
            ref={inputRef}
            rows={2}
            value={draft}
            maxLength={2000}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={sendOnEnter}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={
              fieldError ? 'chat-message-error chat-message-hint' : 'chat-message-hint'
            }
            placeholder="e.g. add a task to water plants"
          />
          <p className="hint" id="chat-message-hint">
            Enter sends, Shift+Enter starts a new line.
          </p>
          {fieldError ? (
            <p className="field-error" id="chat-message-error">
              {fieldError}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button primary" disabled={sending}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </form>
    </div>
  );
}
