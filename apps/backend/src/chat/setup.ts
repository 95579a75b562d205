import type { Database } from '../db/client';
import type { TaskService } from '../tasks/service';
import type { ChatAssistant } from './assistant';
import { CommandAssistant } from './command-assistant';
import {
  ModelAssistant,
  modelKey,
  type AssistantLogger,
  type ModelConfig,
} from './model-assistant';
import { ChatService } from './service';
import { TaskTools } from './tools';

export interface ChatServiceDependencies {
  db: Database;
  tasks: TaskService;
  config: ModelConfig;
  logger: AssistantLogger;
}

/** The language model when a key is configured, otherwise the built-in command interpreter. */
export function createAssistant({
  tasks,
  config,
  logger,
}: Omit<ChatServiceDependencies, 'db'>): ChatAssistant {
  const tools = new TaskTools(tasks);
  return modelKey(config)
    ? new ModelAssistant(config, tools, logger)
    : new CommandAssistant(tools, tasks);
}

export function createChatService(dependencies: ChatServiceDependencies): ChatService {
  return new ChatService(dependencies.db, createAssistant(dependencies));
}
