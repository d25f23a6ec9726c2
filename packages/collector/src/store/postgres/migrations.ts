/**
 * Versioned schema migrations of the PostgreSQL store, applied in order at start, each in
 * the opening transaction; `schema_migrations` holds the versions applied. Every table is
 * created unqualified, in the connection's search_path. Never edit a released migration:
 * add the next one.
 *
 * Times are epoch ms (BIGINT), as in the SQLite store. Properties, traits and contexts stay
 * TEXT: JSONB would reorder their keys, and `eventDetails` gives them back as they came.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  /* 1: the schema of SQLite's migrations 1–10, written for PostgreSQL. Differences: events
     name their project by id (a TEXT foreign key, no project number); an event's shared
     context is a column of its own row, not a deduplicated table with use counts; a
     device's sessions hold their acquisitions inline, so erasing the sessions erases them
     (no `session_acquisitions` with use counts); `event_head` hands out event ids. */ `
  CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    -- creation order (listProjects)
    number          BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    name            TEXT NOT NULL,
    write_key       TEXT NOT NULL UNIQUE,
    secret_key_hash TEXT NOT NULL UNIQUE,
    settings        JSONB NOT NULL,
    created_at      BIGINT NOT NULL
  );

  -- The last event id handed out, over all projects: one row. A write reserves its ids by
  -- moving it, and holds the row lock until it commits, so ids are given in commit order
  -- and never again (an erasure of the newest events leaves it where it is).
  CREATE TABLE event_head (
    last_id BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX event_head_one_row ON event_head ((true));
  INSERT INTO event_head (last_id) VALUES (0);

  CREATE TABLE events (
    id             BIGINT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects(id),
    message_id     TEXT NOT NULL,
    -- sent with the secret key: events are unique per kind of key
    trusted        BOOLEAN NOT NULL,
    type           TEXT NOT NULL,
    event          TEXT,
    anonymous_id   TEXT,
    user_id        TEXT,
    email          TEXT,
    group_id       TEXT,
    previous_id    TEXT,
    timestamp      BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    session_id     TEXT,
    session_index  BIGINT,
    session_start  BIGINT,
    page_url       TEXT,
    referrer       TEXT,
    utm_source     TEXT,
    utm_medium     TEXT,
    utm_campaign   TEXT,
    utm_term       TEXT,
    utm_content    TEXT,
    value          DOUBLE PRECISION,
    properties     TEXT,
    traits         TEXT,
    -- packed (ingest/stored-context.ts): the context's own part, the part its device's
    -- events share, and which fields the row's columns hold
    context        TEXT,
    shared_context TEXT,
    lifted         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, message_id, trusted)
  );
  -- a project's events by row id: what reports read since the last id they saw
  CREATE INDEX events_project_id ON events (project_id, id);
  -- journeys and devices: a visitor's events, a user's, an email's
  CREATE INDEX events_visitor ON events (project_id, anonymous_id, timestamp)
    WHERE anonymous_id IS NOT NULL;
  CREATE INDEX events_user ON events (project_id, user_id, timestamp) WHERE user_id IS NOT NULL;
  CREATE INDEX events_email ON events (project_id, email) WHERE email IS NOT NULL;
  -- erasing a person: events naming them by previous ID
  CREATE INDEX events_previous ON events (project_id, previous_id) WHERE previous_id IS NOT NULL;
  -- identity evidence: group and alias calls, server-side userId + email events
  CREATE INDEX events_group ON events (project_id, group_id) WHERE group_id IS NOT NULL;
  CREATE INDEX events_alias ON events (project_id, timestamp) WHERE type = 'alias';
  CREATE INDEX events_known ON events (project_id, timestamp)
    WHERE anonymous_id IS NULL AND user_id IS NOT NULL AND email IS NOT NULL;
  -- a report's conversions (and offline touches) from the index alone
  CREATE INDEX events_conversions ON events (project_id, event, timestamp, id)
    INCLUDE (anonymous_id, user_id, email, session_id, value, message_id) WHERE type = 'track';

  -- each project's newest event id, moved by the insert in its transaction, so a project's
  -- report cache is not made stale by another project's events
  CREATE TABLE project_heads (
    project_id    TEXT PRIMARY KEY REFERENCES projects(id),
    last_event_id BIGINT NOT NULL
  );

  -- identity links: which anonymous ID was identified as which user/email, and when
  -- (the events for which isDeviceLink holds, stored apart at ingestion)
  CREATE TABLE identity_links (
    project_id   TEXT NOT NULL REFERENCES projects(id),
    anonymous_id TEXT NOT NULL,
    user_id      TEXT,
    email        TEXT,
    timestamp    BIGINT NOT NULL,
    session_id   TEXT,
    message_id   TEXT NOT NULL,
    trusted      BOOLEAN NOT NULL,
    UNIQUE (project_id, message_id, trusted)
  );
  CREATE INDEX identity_links_anonymous ON identity_links (project_id, anonymous_id, timestamp);
  CREATE INDEX identity_links_user ON identity_links (project_id, user_id) WHERE user_id IS NOT NULL;
  CREATE INDEX identity_links_email ON identity_links (project_id, email) WHERE email IS NOT NULL;

  -- erasures, so report caches know to reload; no personal data is kept
  CREATE TABLE erasures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    erased_at  BIGINT NOT NULL,
    events     BIGINT NOT NULL
  );
  CREATE INDEX erasures_project ON erasures (project_id);

  -- what was not stored, and why (PRODUCT.md §3): counts by reason, library and field, and
  -- the latest samples (at most SAMPLES_PER_PROJECT a project; never an IP address)
  CREATE TABLE ingestion_drops (
    project_id TEXT NOT NULL REFERENCES projects(id),
    reason     TEXT NOT NULL,
    library    TEXT NOT NULL,
    field      TEXT NOT NULL,
    count      BIGINT NOT NULL,
    first_at   BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    PRIMARY KEY (project_id, reason, library, field)
  );
  CREATE TABLE ingestion_drop_samples (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    at         BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    library    TEXT NOT NULL,
    field      TEXT NOT NULL,
    error      TEXT NOT NULL,
    payload    TEXT NOT NULL
  );
  CREATE INDEX ingestion_drop_samples_project ON ingestion_drop_samples (project_id, id);

  -- derived sessions (reports/engine.ts): one row per device (an anonymous ID, else
  -- user:<userId> or email:<email> for server-side visits, with the identifier in its
  -- column), its sessions as JSON, each [SDK session id or null, the row id that opened
  -- it, first visit, last visit − first visit, source, medium, campaign, content, term,
  -- landing page, click id or null]
  CREATE TABLE device_sessions (
    project_id  TEXT NOT NULL REFERENCES projects(id),
    device      TEXT NOT NULL,
    server_side BOOLEAN NOT NULL,
    user_id     TEXT,
    email       TEXT,
    sessions    JSONB NOT NULL,
    PRIMARY KEY (project_id, device)
  );
  -- up to which event id, and with which settings, the sessions were derived
  CREATE TABLE derivations (
    project_id    TEXT PRIMARY KEY REFERENCES projects(id),
    last_event_id BIGINT NOT NULL,
    settings      TEXT NOT NULL
  );
  -- devices an erasure took some visits of, to derive again
  CREATE TABLE dirty_devices (
    project_id TEXT NOT NULL REFERENCES projects(id),
    device     TEXT NOT NULL,
    PRIMARY KEY (project_id, device)
  );
  `,
]
