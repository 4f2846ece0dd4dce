// Package journal records the console's actions on API accounts in an
// append-only table and lists them for display.
//
// Record writes inside the caller's transaction, so an entry exists exactly
// when the change it describes was committed. The table rejects UPDATE and
// DELETE with triggers, so an entry cannot be altered once written.
package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/correspondant-entreprise/console/internal/db"
)

// SystemActorName is the actor name recorded for entries without a user,
// such as those of a background worker.
const SystemActorName = "Système"

// Action names shared by the console's features. An action is dotted
// lower-case English words: the object, then what happened to it. Record
// accepts any name of that form, not only these.
const (
	ActionAccountCreated         = "account.created"
	ActionAccountEmailChanged    = "account.email_changed"
	ActionAccountPasswordChanged = "account.password_changed"
	ActionAccountDeleted         = "account.deleted"
	ActionRequestSubmitted       = "request.submitted"
	ActionRequestCancelled       = "request.cancelled"
	ActionRequestDecided         = "request.decided"
	ActionHabilitationGranted    = "habilitation.granted"
	ActionHabilitationRefused    = "habilitation.refused"
	ActionHabilitationRevoked    = "habilitation.revoked"
)

// actionPattern is the form of an action name: two or more dot-separated
// words of lower-case ASCII letters, digits and underscores, each starting
// with a letter.
var actionPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Entry is one journal line.
type Entry struct {
	ID int64
	// At is the business time of the action. List returns it in UTC.
	At time.Time
	// ActorID is the acting user, or 0 for the system.
	ActorID int64
	// ActorName is the actor's display name at the time of the action.
	ActorName         string
	Action            string
	AccountID         int64 // 0 when the action concerns no account
	AccountIdentifier string
	SIRET             string
	APICode           string
	// Summary is a one-line French description shown in the journal.
	Summary string
	// Before and After are the changed values before and after the action.
	// Secrets must be masked with MaskSecret before recording. List returns
	// nil for an empty object.
	Before, After map[string]string
}

// Record inserts the entry in tx and returns its id. The entry is written
// only if the caller commits tx.
//
// Action must match the dotted form of the Action constants, Summary must
// not be empty and At must not be the zero time. At is stored in UTC.
// When ActorName is empty, Record uses SystemActorName for ActorID 0 and
// the user's display name otherwise. A nil Before or After is stored as
// an empty JSON object.
func Record(ctx context.Context, tx *sql.Tx, e Entry) (int64, error) {
	if !actionPattern.MatchString(e.Action) {
		return 0, fmt.Errorf("journal: invalid action %q: want dotted lower-case words such as %q", e.Action, ActionAccountCreated)
	}
	if e.Summary == "" {
		return 0, fmt.Errorf("journal: missing summary for action %s", e.Action)
	}
	if e.At.IsZero() {
		return 0, fmt.Errorf("journal: missing time for action %s", e.Action)
	}

	actorName, err := resolveActorName(ctx, tx, e.ActorID, e.ActorName)
	if err != nil {
		return 0, err
	}
	before, err := encodeValues(e.Before)
	if err != nil {
		return 0, fmt.Errorf("journal: encode before values of %s: %w", e.Action, err)
	}
	after, err := encodeValues(e.After)
	if err != nil {
		return 0, fmt.Errorf("journal: encode after values of %s: %w", e.Action, err)
	}

	res, err := tx.ExecContext(ctx, `
		INSERT INTO journal (at, actor_id, actor_name, action, account_id, account_identifier,
			siret, api_code, summary, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UTC(), db.NullID(e.ActorID), actorName, e.Action, db.NullID(e.AccountID), e.AccountIdentifier,
		e.SIRET, e.APICode, e.Summary, before, after)
	if err != nil {
		return 0, fmt.Errorf("journal: insert %s: %w", e.Action, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("journal: insert %s: %w", e.Action, err)
	}
	return id, nil
}

// resolveActorName returns name, or the default name of the actor when name
// is empty.
func resolveActorName(ctx context.Context, tx *sql.Tx, actorID int64, name string) (string, error) {
	if name != "" {
		return name, nil
	}
	if actorID == 0 {
		return SystemActorName, nil
	}

	err := tx.QueryRowContext(ctx, `SELECT display_name FROM users WHERE id = ?`, actorID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("journal: actor %d not found among users", actorID)
	}
	if err != nil {
		return "", fmt.Errorf("journal: read name of actor %d: %w", actorID, err)
	}
	return name, nil
}

// encodeValues returns values as a JSON object, "{}" for a nil map.
func encodeValues(values map[string]string) (string, error) {
	if values == nil {
		return "{}", nil
	}
	b, err := json.Marshal(values)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// decodeValues parses a JSON object of strings, returning nil when it is
// empty.
func decodeValues(s string) (map[string]string, error) {
	var values map[string]string
	if err := json.Unmarshal([]byte(s), &values); err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, nil
	}
	return values, nil
}

// maskPrefix replaces the hidden part of a masked secret.
const maskPrefix = "••••"

// MaskSecret returns s with all but its last 4 characters hidden, for
// recording a token or password change. It returns "" for "", and only the
// mask when s has 4 characters or fewer, so a short secret is never shown
// in full. Characters are counted as runes.
func MaskSecret(s string) string {
	if s == "" {
		return ""
	}
	n := utf8.RuneCountInString(s)
	if n <= 4 {
		return maskPrefix
	}

	runes := []rune(s)
	return maskPrefix + string(runes[n-4:])
}
