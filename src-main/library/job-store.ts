// Jobs survive restarts: the engine records each long task here so an import or training run
// interrupted by a crash can be found (`unfinishedJobs`) and resumed.
import type Database from 'better-sqlite3';
import { jobEnded, liveJobStates } from '../../src-shared/vocabulary.js';
import { fromJsonText, toJsonText } from './json.js';
import type { JobPatch, JobRecord, JobState } from './types.js';

interface JobRow {
  id: number;
  kind: string;
  state: JobState;
  params: string;
  progress: string | null;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    params: fromJsonText(row.params),
    progress: fromJsonText(row.progress),
    result: fromJsonText(row.result),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

export class JobStore {
  constructor(private readonly db: Database.Database) {}

  create(kind: string, params: unknown): JobRecord {
    const now = Date.now();
    const info = this.db
      .prepare(`INSERT INTO jobs (kind, state, params, created_at, updated_at) VALUES (?, 'queued', ?, ?, ?)`)
      .run(kind, toJsonText(params), now, now);
    return this.get(Number(info.lastInsertRowid)) as JobRecord;
  }

  get(id: number): JobRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Applies a patch; entering 'running' stamps started_at, entering a final state finished_at. */
  update(id: number, patch: JobPatch): JobRecord {
    const current = this.get(id);
    if (!current) throw new Error(`no job ${id}`);
    const now = Date.now();
    const state = patch.state ?? current.state;
    const startedAt = state === 'running' && current.startedAt === null ? now : current.startedAt;
    const finishedAt = jobEnded(state) ? (current.finishedAt ?? now) : null;
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, progress = COALESCE(?, progress), result = COALESCE(?, result),
           error = ?, started_at = ?, finished_at = ?, updated_at = ? WHERE id = ?`,
      )
      .run(
        state,
        patch.progress === undefined ? null : toJsonText(patch.progress),
        patch.result === undefined ? null : toJsonText(patch.result),
        patch.error === undefined ? current.error : patch.error,
        startedAt,
        finishedAt,
        now,
        id,
      );
    return this.get(id) as JobRecord;
  }

  /** Jobs that were queued or running when the engine last stopped, oldest first. */
  unfinished(): JobRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE state IN (${liveJobStates.map(() => '?').join(', ')}) ORDER BY id`)
      .all(...liveJobStates) as JobRow[];
    return rows.map(toRecord);
  }

  list(limit = 50): JobRecord[] {
    const rows = this.db.prepare(`SELECT * FROM jobs ORDER BY id DESC LIMIT ?`).all(limit) as JobRow[];
    return rows.map(toRecord);
  }
}
