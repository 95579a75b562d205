import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { rateLimitCounters } from '../db/schema';

type Callback = Parameters<FastifyRateLimitStore['incr']>[1];

/**
 * A store for @fastify/rate-limit that keeps the counters in PostgreSQL, so that every replica
 * counts against the same limit: one row per route and client, moved on by a single atomic
 * upsert (a fixed window that starts with the first request, as the plugin's own store counts).
 * Time is the database's, so replicas whose clocks differ still agree.
 */
export function postgresRateLimitStore(db: Database): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore implements FastifyRateLimitStore {
    /** The plugin constructs the store with its options (unused here); `child` sets a namespace. */
    constructor(
      _options?: object,
      private readonly namespace = '',
    ) {}

    incr(key: string, callback: Callback, timeWindowMs: number): void {
      const window = sql`make_interval(secs => ${timeWindowMs / 1000})`;
      const expired = sql`${rateLimitCounters.window_ends_at} <= now()`;
      db.insert(rateLimitCounters)
        .values({
          key: `${this.namespace}${key}`,
          hits: 1,
          window_ends_at: sql`now() + ${window}`,
        })
        .onConflictDoUpdate({
          target: rateLimitCounters.key,
          set: {
            hits: sql`case when ${expired} then 1 else ${rateLimitCounters.hits} + 1 end`,
            window_ends_at: sql`case when ${expired} then excluded.window_ends_at else ${rateLimitCounters.window_ends_at} end`,
          },
        })
        .returning({
          hits: rateLimitCounters.hits,
          msLeft: sql<number>`extract(epoch from ${rateLimitCounters.window_ends_at} - now()) * 1000`,
        })
        .then(([row]) => {
          callback(null, { current: row.hits, ttl: Math.max(0, Math.ceil(Number(row.msLeft))) });
          // Windows that ended count for nobody; an occasional sweep keeps the table small.
          if (Math.random() < 0.01) {
            void db
              .delete(rateLimitCounters)
              .where(sql`${rateLimitCounters.window_ends_at} <= now()`)
              .catch(() => undefined);
          }
        }, callback);
    }

    /**
     * One namespace per route, so that login and register count the same client separately. The
     * plugin passes the route's merged limit settings, the route itself under `routeInfo`.
     */
    child(settings: object): FastifyRateLimitStore {
      const route = (settings as { routeInfo?: { method?: string | string[]; url?: string } })
        .routeInfo;
      return new PostgresRateLimitStore(
        {},
        `${[route?.method ?? ''].flat().join(',')} ${route?.url ?? ''}|`,
      );
    }
  }
  return PostgresRateLimitStore;
}
