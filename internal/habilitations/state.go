package habilitations

import (
	"errors"
	"fmt"
)

// State is the stage of a habilitation request.
type State string

// The request states. Submitted is the only open state; the others are
// final.
const (
	StateSubmitted         State = "submitted"
	StateApproved          State = "approved"
	StatePartiallyApproved State = "partially_approved"
	StateRefused           State = "refused"
	StateCancelled         State = "cancelled"
)

// Label returns the state's French name for the screens.
func (s State) Label() string {
	switch s {
	case StateSubmitted:
		return "En cours d’instruction"
	case StateApproved:
		return "Acceptée"
	case StatePartiallyApproved:
		return "Partiellement acceptée"
	case StateRefused:
		return "Refusée"
	case StateCancelled:
		return "Annulée"
	}
	return string(s)
}

// ParseState returns the state named s, or false.
func ParseState(s string) (State, bool) {
	switch st := State(s); st {
	case StateSubmitted, StateApproved, StatePartiallyApproved, StateRefused, StateCancelled:
		return st, true
	}
	return "", false
}

// ErrTransition is returned for an event that the request's state does not
// allow, such as deciding a cancelled request.
var ErrTransition = errors.New("habilitations: transition not allowed")

// Decision is customs' verdict on one API of a request.
type Decision struct {
	Grant  bool
	Reason string // required when Grant is false
}

// cancelRequest returns the state after the correspondant withdraws the
// request: only a submitted request can be cancelled.
func cancelRequest(from State) (State, error) {
	if from != StateSubmitted {
		return from, fmt.Errorf("%w: cancel a request in state %s", ErrTransition, from)
	}
	return StateCancelled, nil
}

// decideRequest returns the state after customs decides every API of a
// submitted request: approved when every API is granted, refused when none
// is, partially approved otherwise. decisions must hold one entry per API
// asked; the caller checks the reasons.
func decideRequest(from State, decisions []Decision) (State, error) {
	if from != StateSubmitted {
		return from, fmt.Errorf("%w: decide a request in state %s", ErrTransition, from)
	}
	if len(decisions) == 0 {
		return from, fmt.Errorf("%w: decide a request without any API", ErrTransition)
	}

	granted := 0
	for _, d := range decisions {
		if d.Grant {
			granted++
		}
	}
	switch granted {
	case len(decisions):
		return StateApproved, nil
	case 0:
		return StateRefused, nil
	}
	return StatePartiallyApproved, nil
}
