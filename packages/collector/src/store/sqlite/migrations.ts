/**
 * Versioned schema migrations, applied in order at start; `PRAGMA user_version` holds the
 * version reached. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: projects, events, identity links */ `
  CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    write_key       TEXT NOT NULL UNIQUE,
    secret_key_hash TEXT NOT NULL UNIQUE,
    settings        TEXT NOT NULL,
    created_at      INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id),
    message_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    event         TEXT,
    anonymous_id  TEXT,
    user_id       TEXT,
    email         TEXT,
    group_id      TEXT,
    previous_id   TEXT,
    timestamp     INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    session_id    TEXT,
    session_index INTEGER,
    session_start INTEGER,
    page_url      TEXT,
    referrer      TEXT,
    utm_source    TEXT,
    utm_medium    TEXT,
    utm_campaign  TEXT,
    utm_term      TEXT,
    utm_content   TEXT,
    value         REAL,
    properties    TEXT,
    traits        TEXT,
    context       TEXT,
    UNIQUE (project_id, message_id)
  ) STRICT;
  -- conversions: track events by name and time
  CREATE INDEX events_track ON events (project_id, event, timestamp) WHERE type = 'track';
  -- journeys: a visitor's visits in time order
  CREATE INDEX events_visitor ON events (project_id, anonymous_id, timestamp)
    WHERE anonymous_id IS NOT NULL;
  CREATE INDEX events_user ON events (project_id, user_id, timestamp) WHERE user_id IS NOT NULL;
  CREATE INDEX events_group ON events (project_id, group_id) WHERE group_id IS NOT NULL;

  -- identity links: which anonymous ID was identified as which user/email, and when
  CREATE TABLE identity_links (
    project_id   TEXT NOT NULL REFERENCES projects(id),
    anonymous_id TEXT NOT NULL,
    user_id      TEXT,
    email        TEXT,
    timestamp    INTEGER NOT NULL,
    session_id   TEXT,
    message_id   TEXT NOT NULL,
    PRIMARY KEY (project_id, message_id)
  ) STRICT;
  CREATE INDEX identity_links_anonymous ON identity_links (project_id, anonymous_id, timestamp);
  CREATE INDEX identity_links_user ON identity_links (project_id, user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX identity_links_email ON identity_links (project_id, email) WHERE email IS NOT NULL;
  `,
  /* 2: identity stitching reads alias calls and server-side userId + email events */ `
  CREATE INDEX events_alias ON events (project_id, timestamp) WHERE type = 'alias';
  CREATE INDEX events_known ON events (project_id, timestamp)
    WHERE anonymous_id IS NULL AND user_id IS NOT NULL AND email IS NOT NULL;
  -- erasing a person: events naming them by email or previous ID
  CREATE INDEX events_email ON events (project_id, email) WHERE email IS NOT NULL;
  CREATE INDEX events_previous ON events (project_id, previous_id) WHERE previous_id IS NOT NULL;
  `,
  /* 3: erasures, so report caches know to reload; no personal data is kept */ `
  CREATE TABLE erasures (
    id         INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    erased_at  INTEGER NOT NULL,
    events     INTEGER NOT NULL
  ) STRICT;
  `,
  /* 4: a report's conversions come from one index (every column the query reads), without
     a look-up per row in the events table */ `
  CREATE INDEX events_conversions ON events (project_id, event, timestamp, anonymous_id, user_id,
    email, session_id, value, message_id) WHERE type = 'track';
  DROP INDEX events_track;
  `,
  /* 5: what was not stored, and why (PRODUCT.md §3): counts by reason, library and field, and
     the latest samples (at most SAMPLES_PER_PROJECT a project; never an IP address) */ `
  CREATE TABLE ingestion_drops (
    project_id TEXT NOT NULL REFERENCES projects(id),
    reason     TEXT NOT NULL,
    library    TEXT NOT NULL,
    field      TEXT NOT NULL,
    count      INTEGER NOT NULL,
    first_at   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (project_id, reason, library, field)
  ) STRICT;
  CREATE TABLE ingestion_drop_samples (
    id         INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    at         INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    library    TEXT NOT NULL,
    field      TEXT NOT NULL,
    error      TEXT NOT NULL,
    payload    TEXT NOT NULL
  ) STRICT;
  CREATE INDEX ingestion_drop_samples_project ON ingestion_drop_samples (project_id, id);
  `,
  /* 6: deduplication per key. `trusted` is 1 for an event sent with the secret key, 0 with the
     write key, so a write-key event never blocks or replaces a secret-key one (and identity
     links are unique the same way). Rows stored before do not say which key sent them: those
     whose time lies outside what a write-key event can have (after its arrival, or more than
     MAX_CLIENT_AGE_MS = 7 days before it) are 1; the others stay NULL, unknown, and keep
     deduplicating against both keys (INSERT_EVENT_AFTER_UNKNOWN_SQL). SQLite cannot change a UNIQUE
     constraint in place: both tables are rebuilt (row ids kept) and their indexes remade. */ `
  CREATE TABLE events_v6 (
    id            INTEGER PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id),
    message_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    event         TEXT,
    anonymous_id  TEXT,
    user_id       TEXT,
    email         TEXT,
    group_id      TEXT,
    previous_id   TEXT,
    timestamp     INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    session_id    TEXT,
    session_index INTEGER,
    session_start INTEGER,
    page_url      TEXT,
    referrer      TEXT,
    utm_source    TEXT,
    utm_medium    TEXT,
    utm_campaign  TEXT,
    utm_term      TEXT,
    utm_content   TEXT,
    value         REAL,
    properties    TEXT,
    traits        TEXT,
    context       TEXT,
    trusted       INTEGER CHECK (trusted IN (0, 1)),
    UNIQUE (project_id, message_id, trusted)
  ) STRICT;
  INSERT INTO events_v6 SELECT *,
      CASE WHEN timestamp > received_at OR timestamp < received_at - 604800000 THEN 1 END
    FROM events ORDER BY id;
  DROP TABLE events;
  ALTER TABLE events_v6 RENAME TO events;
  CREATE INDEX events_visitor ON events (project_id, anonymous_id, timestamp)
    WHERE anonymous_id IS NOT NULL;
  CREATE INDEX events_user ON events (project_id, user_id, timestamp) WHERE user_id IS NOT NULL;
  CREATE INDEX events_group ON events (project_id, group_id) WHERE group_id IS NOT NULL;
  CREATE INDEX events_alias ON events (project_id, timestamp) WHERE type = 'alias';
  CREATE INDEX events_known ON events (project_id, timestamp)
    WHERE anonymous_id IS NULL AND user_id IS NOT NULL AND email IS NOT NULL;
  CREATE INDEX events_email ON events (project_id, email) WHERE email IS NOT NULL;
  CREATE INDEX events_previous ON events (project_id, previous_id) WHERE previous_id IS NOT NULL;
  CREATE INDEX events_conversions ON events (project_id, event, timestamp, anonymous_id, user_id,
    email, session_id, value, message_id) WHERE type = 'track';
  -- rows of unknown sender: found at start without a scan (empty in a new database)
  CREATE INDEX events_sender_unknown ON events (project_id, message_id) WHERE trusted IS NULL;

  CREATE TABLE identity_links_v6 (
    project_id   TEXT NOT NULL REFERENCES projects(id),
    anonymous_id TEXT NOT NULL,
    user_id      TEXT,
    email        TEXT,
    timestamp    INTEGER NOT NULL,
    session_id   TEXT,
    message_id   TEXT NOT NULL,
    trusted      INTEGER CHECK (trusted IN (0, 1)),
    UNIQUE (project_id, message_id, trusted)
  ) STRICT;
  -- A link is its event's: until now both were unique on (project_id, message_id).
  INSERT INTO identity_links_v6 (rowid, project_id, anonymous_id, user_id, email, timestamp,
      session_id, message_id, trusted)
    SELECT link.rowid, link.project_id, link.anonymous_id, link.user_id, link.email,
      link.timestamp, link.session_id, link.message_id, events.trusted
    FROM identity_links AS link LEFT JOIN events
      ON events.project_id = link.project_id AND events.message_id = link.message_id
    ORDER BY link.rowid;
  DROP TABLE identity_links;
  ALTER TABLE identity_links_v6 RENAME TO identity_links;
  CREATE INDEX identity_links_anonymous ON identity_links (project_id, anonymous_id, timestamp);
  CREATE INDEX identity_links_user ON identity_links (project_id, user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX identity_links_email ON identity_links (project_id, email) WHERE email IS NOT NULL;
  `,
  /* 7: what reports need, derived from the events as they arrive and kept (reports/engine.ts):
     a restart reads these instead of every event. `project_heads`: each project's newest
     event id, kept by the insert, so a project's report cache is not made stale by another
     project's events. `device_sessions`: every device's sessions with their acquisition (a device
     is an anonymous ID, else `user:<userId>`, else `email:<email>` for server-side visits);
     `derivations`: up to which event id and with which settings they were derived;
     `dirty_devices`: devices an erasure took some visits of, to derive again. */ `
  CREATE TABLE project_heads (
    project_id    TEXT PRIMARY KEY REFERENCES projects(id),
    last_event_id INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  INSERT INTO project_heads SELECT project_id, max(id) FROM events GROUP BY project_id;

  -- one row per device: its identifiers and its sessions as JSON, each [SDK session id or
  -- null, the row id that opened it, first visit, last visit, source, medium, campaign,
  -- content, term, landing page, click id or null]
  CREATE TABLE device_sessions (
    project_id   TEXT NOT NULL REFERENCES projects(id),
    device       TEXT NOT NULL,
    anonymous_id TEXT,
    user_id      TEXT,
    email        TEXT,
    sessions     TEXT NOT NULL,
    PRIMARY KEY (project_id, device)
  ) STRICT;

  CREATE TABLE derivations (
    project_id    TEXT PRIMARY KEY REFERENCES projects(id),
    last_event_id INTEGER NOT NULL,
    settings      TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE dirty_devices (
    project_id TEXT NOT NULL REFERENCES projects(id),
    device     TEXT NOT NULL,
    PRIMARY KEY (project_id, device)
  ) STRICT, WITHOUT ROWID;
  `,
  /* 8: contexts stored once (ingest/stored-context.ts). `lifted`: which context fields the
     row's columns hold, left out of its JSON; `context_id`: the part of the context its
     device's events share, kept once per project in `event_contexts` with the count of events
     using it (an erasure deletes it with its last event). No foreign key: deleting a context
     would then search the events for it. AUTOINCREMENT: an id is never reused, so a process
     that remembers a context's id never finds another context under it. Rows stored before
     keep their whole context (lifted 0, no context_id), which reads back the same. */ `
  CREATE TABLE event_contexts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL REFERENCES projects(id),
    hash       BLOB NOT NULL,
    context    TEXT NOT NULL,
    uses       INTEGER NOT NULL,
    UNIQUE (project_id, hash)
  ) STRICT;
  ALTER TABLE events ADD COLUMN context_id INTEGER;
  ALTER TABLE events ADD COLUMN lifted INTEGER NOT NULL DEFAULT 0;
  `,
  /* 9: derived sessions stored compactly. Each session is [SDK session id or null, the row
     id that opened it, first visit, last visit − first visit, acquisition id]; the
     acquisitions (source, medium, campaign, content, term, landing page, click id) are kept
     once per project in `session_acquisitions`, with the count of sessions using each (one
     no session uses is deleted, so an erasure leaves none of its person's behind). A device
     is its key: an anonymous ID, or for server-side visits `user:`/`email:` with the
     identifier in its column. The sessions of migration 7's format are dropped: the first
     start derives every session again from the raw events. */ `
  DROP TABLE device_sessions;
  DELETE FROM derivations;
  DELETE FROM dirty_devices;
  CREATE TABLE device_sessions (
    project_id  TEXT NOT NULL REFERENCES projects(id),
    device      TEXT NOT NULL,
    server_side INTEGER NOT NULL,
    user_id     TEXT,
    email       TEXT,
    sessions    TEXT NOT NULL,
    PRIMARY KEY (project_id, device)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE session_acquisitions (
    project_id TEXT NOT NULL REFERENCES projects(id),
    id         INTEGER NOT NULL,
    fields     TEXT NOT NULL,
    uses       INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, fields)
  ) STRICT, WITHOUT ROWID;
  `,
  /* 10: events name their project by a number: `projects.number` (its rowid when added, then
     the next above the highest), in the row and in every index, instead of the 16-character
     id — about 50 bytes an event. Queries name a project by id and find its number with
     PROJECT_NUMBER (sqlite-store.ts). SQLite cannot change a column's type in place: the
     table is rebuilt (row ids kept) and its indexes remade. */ `
  ALTER TABLE projects ADD COLUMN number INTEGER;
  UPDATE projects SET number = rowid;
  CREATE UNIQUE INDEX projects_number ON projects (number);
  CREATE TABLE events_v10 (
    id            INTEGER PRIMARY KEY,
    project       INTEGER NOT NULL REFERENCES projects(number),
    message_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    event         TEXT,
    anonymous_id  TEXT,
    user_id       TEXT,
    email         TEXT,
    group_id      TEXT,
    previous_id   TEXT,
    timestamp     INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    session_id    TEXT,
    session_index INTEGER,
    session_start INTEGER,
    page_url      TEXT,
    referrer      TEXT,
    utm_source    TEXT,
    utm_medium    TEXT,
    utm_campaign  TEXT,
    utm_term      TEXT,
    utm_content   TEXT,
    value         REAL,
    properties    TEXT,
    traits        TEXT,
    context       TEXT,
    trusted       INTEGER CHECK (trusted IN (0, 1)),
    context_id    INTEGER,
    lifted        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project, message_id, trusted)
  ) STRICT;
  INSERT INTO events_v10 SELECT events.id, projects.number, message_id, type, event,
      anonymous_id, user_id, email, group_id, previous_id, timestamp, received_at, session_id,
      session_index, session_start, page_url, referrer, utm_source, utm_medium, utm_campaign,
      utm_term, utm_content, value, properties, traits, context, trusted, context_id, lifted
    FROM events JOIN projects ON projects.id = events.project_id ORDER BY events.id;
  DROP TABLE events;
  ALTER TABLE events_v10 RENAME TO events;
  CREATE INDEX events_visitor ON events (project, anonymous_id, timestamp)
    WHERE anonymous_id IS NOT NULL;
  CREATE INDEX events_user ON events (project, user_id, timestamp) WHERE user_id IS NOT NULL;
  CREATE INDEX events_group ON events (project, group_id) WHERE group_id IS NOT NULL;
  CREATE INDEX events_alias ON events (project, timestamp) WHERE type = 'alias';
  CREATE INDEX events_known ON events (project, timestamp)
    WHERE anonymous_id IS NULL AND user_id IS NOT NULL AND email IS NOT NULL;
  CREATE INDEX events_email ON events (project, email) WHERE email IS NOT NULL;
  CREATE INDEX events_previous ON events (project, previous_id) WHERE previous_id IS NOT NULL;
  CREATE INDEX events_conversions ON events (project, event, timestamp, anonymous_id, user_id,
    email, session_id, value, message_id) WHERE type = 'track';
  CREATE INDEX events_sender_unknown ON events (project, message_id) WHERE trusted IS NULL;
  `,
]
