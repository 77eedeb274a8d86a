// Calls the served engine directly, as the page does (POST /api/<method> with the token): for
// setting a scene faster than clicking it in, never for what the test is about.
import type { APIRequestContext } from '@playwright/test';
import type { Method, Request, Response } from '../../src-shared/contract.js';

export async function api<M extends Method>(request: APIRequestContext, url: string, method: M, body: Request<M>): Promise<Response<M>> {
  const token = new URL(url).searchParams.get('token');
  const res = await request.post(new URL(`/api/${method}`, url).href, { data: body, headers: { authorization: `Bearer ${token}` } });
  const json = (await res.json()) as { ok: boolean; result: Response<M>; error?: { message: string } };
  if (!json.ok) throw new Error(json.error?.message);
  return json.result;
}
