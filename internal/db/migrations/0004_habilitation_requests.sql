-- Habilitation requests: a correspondant asks customs to habilitate an API
-- account on one or more APIs, and the customs service desk decides per
-- API.

-- state moves from 'submitted' to 'approved', 'partially_approved' or
-- 'refused' when customs decides, or to 'cancelled' when the correspondant
-- withdraws it first. siret is the account's establishment at request time.
CREATE TABLE habilitation_requests (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES api_accounts (id),
    siret        TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'submitted'
        CHECK (state IN ('submitted', 'approved', 'partially_approved', 'refused', 'cancelled')),
    requested_at TIMESTAMP NOT NULL,
    requested_by INTEGER REFERENCES users (id),
    closed_at    TIMESTAMP,
    closed_by    INTEGER REFERENCES users (id),
    CHECK ((state = 'submitted') = (closed_at IS NULL))
);
CREATE INDEX habilitation_requests_queue ON habilitation_requests (state, requested_at, id);
CREATE INDEX habilitation_requests_account ON habilitation_requests (account_id, id);
CREATE INDEX habilitation_requests_siret ON habilitation_requests (siret, requested_at);

-- One row per API asked. decision stays NULL while the request is open; a
-- refusal carries its reason. open is 1 while the request is submitted, and
-- the partial unique index allows one open request per account and API.
CREATE TABLE habilitation_request_items (
    request_id INTEGER NOT NULL REFERENCES habilitation_requests (id),
    account_id INTEGER NOT NULL REFERENCES api_accounts (id),
    api_code   TEXT NOT NULL REFERENCES apis (code),
    decision   TEXT CHECK (decision IN ('granted', 'refused')),
    reason     TEXT NOT NULL DEFAULT '',
    open       INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    PRIMARY KEY (request_id, api_code),
    CHECK (decision IS NOT 'refused' OR reason <> '')
);
CREATE UNIQUE INDEX habilitation_request_items_open
    ON habilitation_request_items (account_id, api_code) WHERE open = 1;
CREATE INDEX habilitation_request_items_api ON habilitation_request_items (api_code, request_id);

CREATE INDEX habilitations_account ON habilitations (account_id, api_code);
