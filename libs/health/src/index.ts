export * from './registry';
export * from './shutdown';
export * from './probes';
export * from './fastify';
export type { HealthLogger } from './logger';
