/**
 * The REST client: JSON over fetch, errors as `ApiError` carrying the problem body (`{detail, status, title?, type?}`),
 * lists with their total from `Content-Range`, and the multi-page form protocol (510 next page / 400 field errors).
 */
import { listQueryString, parseContentRange, type ListParams } from "./list-params.ts";
import type { JsonObject, ValidationError } from "./types.ts";

export const API_BASE = "/api";

export interface ProblemBody {
  detail?: unknown;
  status?: number;
  title?: string;
  type?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: ProblemBody;

  constructor(status: number, body: ProblemBody, fallback: string) {
    super(ApiError.describe(body) ?? fallback);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }

  /** The human text of a problem body: its `detail` (text or FastAPI-style list), else its title. */
  static describe(body: ProblemBody): string | undefined {
    const { detail, title } = body;
    if (typeof detail === "string" && detail) return detail;
    if (Array.isArray(detail)) return detail.map((d) => (typeof d === "object" && d && "msg" in d ? String(d.msg) : String(d))).join("; ");
    return title;
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** How requests authenticate when the server has authentication on (see auth/session.ts). */
export interface RequestAuth {
  /** The current access token, if any. */
  token(): string | undefined;
  /**
   * Called when the server answered 401 to a request sent with `usedToken`: true when a (new) token is there to
   * retry with; false when not (a sign-in may be under way: the page is leaving).
   */
  unauthorized(usedToken: string | undefined): Promise<boolean>;
}

let requestAuth: RequestAuth | null = null;

/** Sets (or, with null, clears) what authenticates the API requests. */
export function setRequestAuth(auth: RequestAuth | null): void {
  requestAuth = auth;
}

async function sendOnce(method: string, path: string, body: unknown, token: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  return fetch(`${API_BASE}${path}`, init);
}

/** A request with the current token; a 401 renews the token (or signs in again) and the request is sent once more. */
async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const auth = requestAuth;
  const token = auth?.token();
  const response = await sendOnce(method, path, body, token);
  if (response.status !== 401 || !auth || !(await auth.unauthorized(token))) return response;
  return sendOnce(method, path, body, auth.token());
}

function problem(response: Response, body: unknown): ApiError {
  const problemBody: ProblemBody =
    typeof body === "object" && body !== null ? (body as ProblemBody) : { detail: typeof body === "string" ? body : undefined };
  return new ApiError(response.status, problemBody, `${response.status} ${response.statusText || "error"}`);
}

/** A JSON request; throws `ApiError` for any answer outside 2xx. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  const data = await readBody(response);
  if (!response.ok) throw problem(response, data);
  return data as T;
}

export const apiGet = <T>(path: string): Promise<T> => api<T>("GET", path);

export interface Page<T> {
  items: T[];
  total: number;
}

/** A paged list: the items and the total from `Content-Range` (the item count when the header is missing). */
export async function apiList<T>(path: string, params: ListParams): Promise<Page<T>> {
  const response = await send("GET", `${path}?${listQueryString(params)}`);
  const data = await readBody(response);
  if (!response.ok) throw problem(response, data);
  const items = Array.isArray(data) ? (data as T[]) : [];
  const range = parseContentRange(response.headers.get("Content-Range"));
  return { items, total: range?.total ?? items.length };
}

/** The outcome of posting form pages: done (with the answer), another page to fill in, or field errors. */
export type FormOutcome<T> =
  | { kind: "done"; result: T }
  | { kind: "form"; form: JsonObject; meta: unknown }
  | { kind: "invalid"; errors: ValidationError[]; detail: string | undefined };

/**
 * Posts the pages filled in so far (`POST /processes/{name}`, `PUT /processes/{id}/resume`). 510 asks for the next
 * page, 400 "Form not valid" lists field errors; anything else outside 2xx throws `ApiError`.
 */
export async function submitForm<T>(method: "POST" | "PUT", path: string, pages: JsonObject[]): Promise<FormOutcome<T>> {
  const response = await send(method, path, pages);
  const data = await readBody(response);
  if (response.ok) return { kind: "done", result: data as T };
  const body = (typeof data === "object" && data !== null ? data : {}) as ProblemBody;
  if (response.status === 510 && typeof body.form === "object" && body.form !== null) {
    return { kind: "form", form: body.form as JsonObject, meta: body.meta ?? null };
  }
  if (response.status === 400 && Array.isArray(body.validation_errors)) {
    return { kind: "invalid", errors: body.validation_errors as ValidationError[], detail: ApiError.describe(body) };
  }
  throw problem(response, data);
}
