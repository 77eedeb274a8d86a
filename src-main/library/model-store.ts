// Trained heads known to the library. Weights live in models/<id>/; this table says which
// exists, how it was trained, how it scored, and which one is active (at most one).
import type Database from 'better-sqlite3';
import { fromJsonText, toJsonText } from './json.js';
import type { ModelRecord, NewModel } from './types.js';

interface ModelRow {
  id: number;
  created_at: number;
  name: string;
  loss: string;
  settings: string;
  metrics: string;
  active: number;
}

function toRecord(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    name: row.name,
    loss: row.loss,
    settings: fromJsonText(row.settings),
    metrics: fromJsonText(row.metrics),
    active: row.active === 1,
  };
}

export class ModelStore {
  constructor(private readonly db: Database.Database) {}

  create(model: NewModel): ModelRecord {
    const info = this.db
      .prepare(`INSERT INTO models (created_at, name, loss, settings, metrics) VALUES (?, ?, ?, ?, ?)`)
      .run(Date.now(), model.name, model.loss, toJsonText(model.settings ?? {}), toJsonText(model.metrics ?? {}));
    return this.get(Number(info.lastInsertRowid)) as ModelRecord;
  }

  get(id: number): ModelRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM models WHERE id = ?`).get(id) as ModelRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(): ModelRecord[] {
    return (this.db.prepare(`SELECT * FROM models ORDER BY id`).all() as ModelRow[]).map(toRecord);
  }

  setMetrics(id: number, metrics: unknown): void {
    this.db.prepare(`UPDATE models SET metrics = ? WHERE id = ?`).run(toJsonText(metrics), id);
  }

  /** Makes this model the active one (null: none, i.e. the untrained identity head). */
  setActive(id: number | null): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE models SET active = 0 WHERE active = 1`).run();
      if (id !== null && this.db.prepare(`UPDATE models SET active = 1 WHERE id = ?`).run(id).changes === 0) {
        throw new Error(`no model ${id}`);
      }
    })();
  }

  active(): ModelRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM models WHERE active = 1`).get() as ModelRow | undefined;
    return row ? toRecord(row) : undefined;
  }
}
