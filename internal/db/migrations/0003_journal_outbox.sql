-- The journal of console actions and the outbox of e-mail notifications.
-- Business times come from the console clock, which may be emulated; real
-- times come from the wall clock and drive the e-mail sender. Both are UTC.

-- The journal records who did what to which account, for display and
-- audit. The triggers below abort any UPDATE or DELETE, so rows cannot be
-- changed or removed. actor_id is NULL for the system (a background worker),
-- and actor_name keeps the display name the actor had at the time.
-- account_id has no foreign key because the journal outlives the accounts
-- it names. before_json and after_json are JSON objects of the changed
-- values, with secrets already masked by the caller.
CREATE TABLE journal (
    id                 INTEGER PRIMARY KEY,
    at                 TIMESTAMP NOT NULL,
    actor_id           INTEGER REFERENCES users (id),
    actor_name         TEXT NOT NULL,
    action             TEXT NOT NULL CHECK (action <> ''),
    account_id         INTEGER,
    account_identifier TEXT NOT NULL DEFAULT '',
    siret              TEXT NOT NULL DEFAULT '',
    api_code           TEXT NOT NULL DEFAULT '',
    summary            TEXT NOT NULL CHECK (summary <> ''),
    before_json        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(before_json)),
    after_json         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(after_json))
);
CREATE INDEX journal_account ON journal (account_id, id);
CREATE INDEX journal_siret ON journal (siret, id);
CREATE INDEX journal_action ON journal (action, id);
CREATE INDEX journal_at ON journal (at, id);

CREATE TRIGGER journal_reject_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only: rows cannot be updated');
END;

CREATE TRIGGER journal_reject_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal is append-only: rows cannot be deleted');
END;

-- The outbox holds one e-mail per recipient, written in the transaction of
-- the change it reports and delivered later by the background sender.
-- created_at is business time; sent_at and next_attempt_at are real time.
-- A message is pending while sent_at is NULL and is never deleted, so a
-- failing SMTP server only delays it. siret and account_id select the
-- messages a correspondant may see; account_id has no foreign key, like the
-- journal's.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      TIMESTAMP NOT NULL,
    kind            TEXT NOT NULL CHECK (kind <> ''),
    recipient       TEXT NOT NULL CHECK (recipient <> ''),
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    account_id      INTEGER,
    siret           TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMP,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_siret ON outbox (siret, id);
CREATE INDEX outbox_account ON outbox (account_id, id);

-- Every delivery attempt of an outbox message, in real time. An empty
-- error means the SMTP server accepted the message.
CREATE TABLE outbox_attempts (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES outbox (id),
    at         TIMESTAMP NOT NULL,
    error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id, id);
