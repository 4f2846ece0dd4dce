-- The foundation: console users with their roles and perimeters, the
-- companies and establishments they act for, API accounts, the API catalog
-- with its settings fields, habilitations, settings changes, sign-in
-- throttling and web sessions. Times are UTC text written by the driver.

CREATE TABLE companies (
    siren TEXT PRIMARY KEY
        CHECK (length(siren) = 9 AND siren NOT GLOB '*[^0-9]*'),
    name  TEXT NOT NULL CHECK (name <> '')
);

-- SIRETs are TEXT, never numbers, because leading zeros are significant.
CREATE TABLE establishments (
    siret TEXT PRIMARY KEY
        CHECK (length(siret) = 14 AND siret NOT GLOB '*[^0-9]*'),
    siren TEXT NOT NULL REFERENCES companies (siren)
        CHECK (siren = substr(siret, 1, 9)),
    label TEXT NOT NULL DEFAULT ''
);
CREATE INDEX establishments_siren ON establishments (siren);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('correspondant', 'douane', 'admin')),
    PRIMARY KEY (user_id, role)
);

-- The establishments a correspondant is habilitated on.
CREATE TABLE perimeters (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    siret   TEXT NOT NULL REFERENCES establishments (siret),
    PRIMARY KEY (user_id, siret)
);
CREATE INDEX perimeters_siret ON perimeters (siret, user_id);

-- Consecutive sign-in failures per login, known or not, so that the lockout
-- does not reveal which logins exist.
CREATE TABLE login_failures (
    login           TEXT PRIMARY KEY COLLATE NOCASE,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP
);

-- At most one live API account per SIRET: the partial unique index makes a
-- second concurrent creation fail in the database, not only in the form.
-- Identifiers stay unique for ever, deleted accounts included, so the
-- journal of a deleted account never names a newer one.
CREATE TABLE api_accounts (
    id                  INTEGER PRIMARY KEY,
    identifier          TEXT NOT NULL COLLATE NOCASE
        CHECK (length(identifier) BETWEEN 3 AND 64),
    email               TEXT NOT NULL CHECK (length(CAST(email AS BLOB)) <= 254),
    siret               TEXT NOT NULL REFERENCES establishments (siret),
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TIMESTAMP NOT NULL,
    created_by          INTEGER REFERENCES users (id),
    updated_at          TIMESTAMP NOT NULL,
    deleted_at          TIMESTAMP
);
CREATE UNIQUE INDEX api_accounts_identifier ON api_accounts (identifier COLLATE NOCASE);
CREATE UNIQUE INDEX api_accounts_siret ON api_accounts (siret) WHERE deleted_at IS NULL;
CREATE INDEX api_accounts_email ON api_accounts (email);

-- The customs APIs an account can be habilitated on. The rows are data,
-- seeded by a later migration.
CREATE TABLE apis (
    code          TEXT PRIMARY KEY CHECK (code <> '' AND code NOT GLOB '*[^A-Z0-9]*'),
    label         TEXT NOT NULL,
    description   TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    position      INTEGER NOT NULL
);

-- The settings an account must fill for an API once habilitated.
-- propagation_delay_seconds is the maximum time the real system takes to
-- apply a change.
CREATE TABLE api_settings_fields (
    api_code                  TEXT NOT NULL REFERENCES apis (code),
    key                       TEXT NOT NULL CHECK (key <> '' AND key NOT GLOB '*[^a-z0-9_]*'),
    label                     TEXT NOT NULL,
    kind                      TEXT NOT NULL CHECK (kind IN ('url', 'token', 'text')),
    required                  INTEGER NOT NULL CHECK (required IN (0, 1)),
    propagation_delay_seconds INTEGER NOT NULL CHECK (propagation_delay_seconds >= 0),
    position                  INTEGER NOT NULL,
    PRIMARY KEY (api_code, key)
);

-- An account's right to use an API. A revoked row is kept for the history;
-- at most one live row per account and API.
CREATE TABLE habilitations (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES api_accounts (id),
    api_code      TEXT NOT NULL REFERENCES apis (code),
    granted_at    TIMESTAMP NOT NULL,
    granted_by    INTEGER REFERENCES users (id),
    revoked_at    TIMESTAMP,
    revoked_by    INTEGER REFERENCES users (id),
    revoke_reason TEXT
);
CREATE UNIQUE INDEX habilitations_live ON habilitations (account_id, api_code) WHERE revoked_at IS NULL;

-- Every saved settings value. The value in force is the latest row whose
-- effective_at has passed; a later row is pending until its effective_at.
-- A pending row that is replaced or cancelled gets cancelled_at and never
-- takes effect.
CREATE TABLE settings_changes (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES api_accounts (id),
    api_code     TEXT NOT NULL,
    field_key    TEXT NOT NULL,
    value        TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    requested_by INTEGER REFERENCES users (id),
    effective_at TIMESTAMP NOT NULL CHECK (effective_at >= requested_at),
    cancelled_at TIMESTAMP,
    FOREIGN KEY (api_code, field_key) REFERENCES api_settings_fields (api_code, key)
);
CREATE INDEX settings_changes_field ON settings_changes (account_id, api_code, field_key, effective_at);

-- The account status of the Hab. column, derived and never stored:
-- 'rouge' without a live habilitation, 'jaune' when a required field of a
-- habilitated API has no saved value (in force or pending), 'vert' otherwise.
CREATE VIEW account_status AS
SELECT a.id AS account_id,
       CASE
           WHEN NOT EXISTS (
               SELECT 1 FROM habilitations h
               WHERE h.account_id = a.id AND h.revoked_at IS NULL
           ) THEN 'rouge'
           WHEN EXISTS (
               SELECT 1
               FROM habilitations h
               JOIN api_settings_fields f ON f.api_code = h.api_code AND f.required = 1
               WHERE h.account_id = a.id AND h.revoked_at IS NULL
                 AND NOT EXISTS (
                     SELECT 1 FROM settings_changes c
                     WHERE c.account_id = a.id AND c.api_code = f.api_code
                       AND c.field_key = f.key AND c.cancelled_at IS NULL
                 )
           ) THEN 'jaune'
           ELSE 'vert'
       END AS status
FROM api_accounts a;

-- Facts about this database as a whole, such as whether it holds the demo
-- data set.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Web sessions, in the layout the scs SQLite store expects.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
