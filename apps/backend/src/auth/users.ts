import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { users, type UserRow } from '../db/schema';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class UserService {
  /** Runs on every authenticated request: prepared once rather than built and planned each time. */
  private readonly byId;

  constructor(private readonly db: Database) {
    this.byId = db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .limit(1)
      .prepare('users_find_by_id');
  }

  /** Null when the email is taken (the unique index decides, so two racing sign-ups cannot both win). */
  async create(input: {
    name: string;
    email: string;
    passwordHash: string;
  }): Promise<AuthUser | null> {
    const [row] = await this.db
      .insert(users)
      .values({
        name: input.name,
        email: input.email.toLowerCase(),
        password_hash: input.passwordHash,
      })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, name: users.name, email: users.email });
    return row ?? null;
  }

  async findByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(eq(users.email, email.toLowerCase()))
      .limit(1);
    return row ?? null;
  }

  async findById(id: string): Promise<AuthUser | null> {
    // A token's `sub` is ours, but a malformed one must read as "no such user", not a SQL error.
    if (!UUID.test(id)) return null;
    const [row] = await this.byId.execute({ id });
    return row ?? null;
  }
}
