// Versioned schema. `PRAGMA user_version` holds the number of migrations applied; each new
// migration is appended (never edited once shipped) and all pending ones run in one
// transaction, so a crash mid-upgrade leaves the previous, working schema.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  /** Plain SQL, or a function for steps that must look at the schema first. */
  sql: string | ((db: Database.Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'roots, images, image paths, labels, pairs, models, jobs',
    sql: `
      CREATE TABLE roots (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL UNIQUE,
        added_at    INTEGER NOT NULL,
        scanned_at  INTEGER
      );

      -- One row per distinct content: the same bytes at two paths are one image.
      CREATE TABLE images (
        id            INTEGER PRIMARY KEY,
        content_hash  TEXT NOT NULL UNIQUE,
        size          INTEGER NOT NULL,
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        format        TEXT NOT NULL,
        taken_at      TEXT,
        status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed')),
        error         TEXT,
        added_at      INTEGER NOT NULL
      );

      -- Every file the scan met. 'live' rows point at an image; 'failed' rows are the
      -- per-file failure record (no image); 'removed' rows are files that disappeared.
      CREATE TABLE image_paths (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL UNIQUE,
        root_id     INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
        image_id    INTEGER REFERENCES images(id) ON DELETE SET NULL,
        size        INTEGER NOT NULL,
        mtime_ms    REAL NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('live', 'removed', 'failed')),
        error       TEXT,
        updated_at  INTEGER NOT NULL,
        CHECK (status <> 'live' OR image_id IS NOT NULL),
        CHECK (status <> 'failed' OR error IS NOT NULL)
      );
      CREATE INDEX image_paths_by_image ON image_paths(image_id) WHERE status = 'live';
      CREATE INDEX image_paths_by_root ON image_paths(root_id, status);

      CREATE TABLE labels (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE image_labels (
        image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        label_id    INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (image_id, label_id)
      ) WITHOUT ROWID;
      CREATE INDEX image_labels_by_label ON image_labels(label_id, image_id);

      CREATE TABLE pairs (
        id          INTEGER PRIMARY KEY,
        image_a     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        image_b     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        verdict     TEXT NOT NULL CHECK (verdict IN ('match', 'mismatch')),
        source      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        CHECK (image_a < image_b),
        UNIQUE (image_a, image_b)
      );

      CREATE TABLE models (
        id          INTEGER PRIMARY KEY,
        created_at  INTEGER NOT NULL,
        name        TEXT NOT NULL,
        loss        TEXT NOT NULL,
        settings    TEXT NOT NULL DEFAULT '{}',
        metrics     TEXT NOT NULL DEFAULT '{}',
        active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
      );
      CREATE UNIQUE INDEX models_one_active ON models(active) WHERE active = 1;

      CREATE TABLE jobs (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        params       TEXT NOT NULL DEFAULT '{}',
        progress     TEXT,
        result       TEXT,
        error        TEXT,
        created_at   INTEGER NOT NULL,
        started_at   INTEGER,
        finished_at  INTEGER,
        updated_at   INTEGER NOT NULL
      );
      CREATE INDEX jobs_by_state ON jobs(state);
    `,
  },
  {
    version: 2,
    description: 'count live paths per image, so listing and counting images is indexed',
    // Development builds briefly created this column in version 1: add it only when missing.
    sql: (db) => {
      const columns = db.pragma('table_info(images)') as { name: string }[];
      if (!columns.some((c) => c.name === 'live_paths')) {
        // How many live paths hold these bytes, kept by the triggers below, so that listing and
        // counting the library's images never has to look at image_paths.
        db.exec(`ALTER TABLE images ADD COLUMN live_paths INTEGER NOT NULL DEFAULT 0`);
      }
      db.exec(`
      UPDATE images SET live_paths =
        (SELECT COUNT(*) FROM image_paths p WHERE p.image_id = images.id AND p.status = 'live');
      CREATE INDEX IF NOT EXISTS images_listed ON images(id) WHERE status = 'ok' AND live_paths > 0;
      CREATE TRIGGER IF NOT EXISTS image_paths_count_insert AFTER INSERT ON image_paths WHEN NEW.status = 'live'
      BEGIN
        UPDATE images SET live_paths = live_paths + 1 WHERE id = NEW.image_id;
      END;
      CREATE TRIGGER IF NOT EXISTS image_paths_count_delete AFTER DELETE ON image_paths WHEN OLD.status = 'live'
      BEGIN
        UPDATE images SET live_paths = live_paths - 1 WHERE id = OLD.image_id;
      END;
      CREATE TRIGGER IF NOT EXISTS image_paths_count_update AFTER UPDATE OF status, image_id ON image_paths
      BEGIN
        UPDATE images SET live_paths = live_paths - 1 WHERE OLD.status = 'live' AND id = OLD.image_id;
        UPDATE images SET live_paths = live_paths + 1 WHERE NEW.status = 'live' AND id = NEW.image_id;
      END;
    `);
    },
  },
  {
    version: 3,
    description: "a photo's marks are looked up from either side (the look-alike panel, refining a query)",
    sql: `CREATE INDEX pairs_by_b ON pairs(image_b);`,
  },
  {
    version: 4,
    description: 'duplicate reviews: the copy kept and those set aside survive a reload, and can be undone',
    sql: `
      CREATE TABLE duplicate_reviews (
        spare_path      TEXT PRIMARY KEY,
        kept_path       TEXT NOT NULL,
        -- The two photos the review marked alike; spare_image is NULL when both paths are one photo.
        kept_image      INTEGER,
        spare_image     INTEGER,
        -- The pair's mark before the review, restored when it is undone (NULL: none).
        earlier_verdict TEXT CHECK (earlier_verdict IN ('match', 'mismatch')),
        created_at      INTEGER NOT NULL
      );
      CREATE INDEX duplicate_reviews_by_kept ON duplicate_reviews(kept_path);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Brings the database up to SCHEMA_VERSION; returns the version it started from. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new Error(
      `library schema version ${current} is newer than this app understands (${latest}); update Lookalike`,
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) {
      if (typeof m.sql === 'string') db.exec(m.sql);
      else m.sql(db);
      // PRAGMA cannot take bound parameters; the version is an integer from our own list.
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    }
  }).immediate();
  return current;
}
