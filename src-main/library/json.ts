// JSON columns: written with JSON.stringify, read back as the Json type (never `any`).
import type { Json } from './types.js';

export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJsonText(text: string | null): Json {
  return text === null ? null : (JSON.parse(text) as Json);
}
