/**
 * A minimal client for the emulator's HTTP API (the catalogue seeder and the emulator tests use it):
 * one client-credentials token, JSON in and out, nothing thrown for error statuses.
 */

export interface ApiResponse<T> {
  status: number;
  /** Parsed JSON, or undefined for an empty body (HEAD, 404 without body). */
  body: T;
}

export interface ApiClient {
  projectKey: string;
  /** `path` is relative to the project, e.g. `/carts?where=...`. */
  request<T = unknown>(
    method: 'GET' | 'HEAD' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
}

/** Gets a token with the client credentials flow (the emulator accepts any id and secret). */
export async function fetchToken(
  apiUrl: string,
  credentials = { clientId: 'sandbox', clientSecret: 'sandbox' },
): Promise<string> {
  const response = await fetch(`${apiUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (!response.ok) throw new Error(`token request answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function connectApi(apiUrl: string, projectKey: string): Promise<ApiClient> {
  const token = await fetchToken(apiUrl);
  const base = `${apiUrl}/${encodeURIComponent(projectKey)}`;
  const request = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    projectKey,
    request,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
  };
}
