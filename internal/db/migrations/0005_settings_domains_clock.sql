-- Settings taking effect, opened domains and the emulation clock.

-- applied_at is the business time at which the background worker recorded
-- that the change took effect, journaled it and queued its e-mail. It is
-- set once, which makes that notice exactly-once across clock jumps and
-- restarts.
ALTER TABLE settings_changes ADD COLUMN applied_at TIMESTAMP;
CREATE INDEX settings_changes_due ON settings_changes (effective_at, id)
    WHERE cancelled_at IS NULL AND applied_at IS NULL;

-- Customs only calls domains opened on its network, per company and API.
-- A row is a request to open one domain; 'opened' rows are the opened
-- domains. At most one live row (requested or opened) per company, API and
-- domain; a refused domain can be requested again.
CREATE TABLE domain_openings (
    id           INTEGER PRIMARY KEY,
    siren        TEXT NOT NULL REFERENCES companies (siren),
    api_code     TEXT NOT NULL REFERENCES apis (code),
    domain       TEXT NOT NULL CHECK (domain <> '' AND domain = lower(domain)),
    state        TEXT NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'opened', 'refused')),
    account_id   INTEGER REFERENCES api_accounts (id),
    requested_at TIMESTAMP NOT NULL,
    requested_by INTEGER REFERENCES users (id),
    decided_at   TIMESTAMP,
    decided_by   INTEGER REFERENCES users (id),
    reason       TEXT NOT NULL DEFAULT '',
    CHECK (state <> 'refused' OR reason <> '')
);
CREATE UNIQUE INDEX domain_openings_live ON domain_openings (siren, api_code, domain)
    WHERE state IN ('requested', 'opened');
CREATE INDEX domain_openings_queue ON domain_openings (state, requested_at, id);

-- The emulation clock: business time is real time plus offset_seconds.
-- One row; offset 0 means real time.
CREATE TABLE emulation_clock (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds INTEGER NOT NULL DEFAULT 0 CHECK (offset_seconds >= 0),
    changed_at     TIMESTAMP
);
INSERT INTO emulation_clock (id, offset_seconds) VALUES (1, 0);
