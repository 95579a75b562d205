import type { NextRequest } from 'next/server';
import { callBackend } from '../../../../server/backend';
import { jsonBody } from '../../../../server/session-response';

export async function POST(request: NextRequest): Promise<Response> {
  const parsed = await jsonBody(request);
  if ('error' in parsed) return parsed.error;
  return callBackend({ method: 'POST', path: '/api/auth/register', body: parsed.body });
}
