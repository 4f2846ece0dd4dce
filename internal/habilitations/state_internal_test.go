package habilitations

import (
	"errors"
	"testing"
)

var allStates = []State{StateSubmitted, StateApproved, StatePartiallyApproved, StateRefused, StateCancelled}

// event is one thing that can happen to a request, applied to a state.
type event struct {
	name  string
	apply func(State) (State, error)
}

var events = []event{
	{"cancel", cancelRequest},
	{"decide all granted", func(s State) (State, error) {
		return decideRequest(s, []Decision{{Grant: true}, {Grant: true}})
	}},
	{"decide all refused", func(s State) (State, error) {
		return decideRequest(s, []Decision{{Reason: "a"}, {Reason: "b"}})
	}},
	{"decide mixed", func(s State) (State, error) {
		return decideRequest(s, []Decision{{Grant: true}, {Reason: "b"}})
	}},
	{"decide one granted", func(s State) (State, error) {
		return decideRequest(s, []Decision{{Grant: true}})
	}},
	{"decide one refused", func(s State) (State, error) {
		return decideRequest(s, []Decision{{Reason: "a"}})
	}},
	{"decide nil decisions", func(s State) (State, error) {
		return decideRequest(s, nil)
	}},
	{"decide empty decisions", func(s State) (State, error) {
		return decideRequest(s, []Decision{})
	}},
}

func TestTransitions(t *testing.T) {
	// want is the next state for each state and event. A missing entry
	// means ErrTransition with the state unchanged.
	want := map[State]map[string]State{
		StateSubmitted: {
			"cancel":             StateCancelled,
			"decide all granted": StateApproved,
			"decide all refused": StateRefused,
			"decide mixed":       StatePartiallyApproved,
			"decide one granted": StateApproved,
			"decide one refused": StateRefused,
		},
	}

	for _, from := range allStates {
		for _, ev := range events {
			t.Run(string(from)+"/"+ev.name, func(t *testing.T) {
				got, err := ev.apply(from)
				next, allowed := want[from][ev.name]
				if !allowed {
					if !errors.Is(err, ErrTransition) {
						t.Errorf("error: got %v, want ErrTransition", err)
					}
					if got != from {
						t.Errorf("state: got %q, want %q unchanged", got, from)
					}
					return
				}
				if err != nil {
					t.Fatalf("error: got %v, want nil", err)
				}
				if got != next {
					t.Errorf("state: got %q, want %q", got, next)
				}
			})
		}
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	cases := []struct {
		name string
		run  func() (State, error)
		want string
	}{
		{
			name: "cancel approved",
			run:  func() (State, error) { return cancelRequest(StateApproved) },
			want: "habilitations: transition not allowed: cancel a request in state approved",
		},
		{
			name: "decide cancelled",
			run:  func() (State, error) { return decideRequest(StateCancelled, []Decision{{Grant: true}}) },
			want: "habilitations: transition not allowed: decide a request in state cancelled",
		},
		{
			name: "decide without API",
			run:  func() (State, error) { return decideRequest(StateSubmitted, nil) },
			want: "habilitations: transition not allowed: decide a request without any API",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.run()
			if err == nil {
				t.Fatal("error: got nil, want ErrTransition")
			}
			if got := err.Error(); got != c.want {
				t.Errorf("message: got %q, want %q", got, c.want)
			}
		})
	}
}

func TestStateLabel(t *testing.T) {
	cases := []struct {
		state State
		want  string
	}{
		{StateSubmitted, "En cours d’instruction"},
		{StateApproved, "Acceptée"},
		{StatePartiallyApproved, "Partiellement acceptée"},
		{StateRefused, "Refusée"},
		{StateCancelled, "Annulée"},
		{State("archived"), "archived"},
		{State(""), ""},
	}
	for _, c := range cases {
		t.Run(string(c.state), func(t *testing.T) {
			if got := c.state.Label(); got != c.want {
				t.Errorf("Label(): got %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseState(t *testing.T) {
	cases := []struct {
		name   string
		input  string
		want   State
		wantOK bool
	}{
		{"submitted", "submitted", StateSubmitted, true},
		{"approved", "approved", StateApproved, true},
		{"partially approved", "partially_approved", StatePartiallyApproved, true},
		{"refused", "refused", StateRefused, true},
		{"cancelled", "cancelled", StateCancelled, true},
		{"empty", "", "", false},
		{"upper case", "SUBMITTED", "", false},
		{"surrounding space", " approved", "", false},
		{"French label", "Acceptée", "", false},
		{"unknown", "archived", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ParseState(c.input)
			if ok != c.wantOK {
				t.Errorf("ok: got %v, want %v", ok, c.wantOK)
			}
			if got != c.want {
				t.Errorf("state: got %q, want %q", got, c.want)
			}
		})
	}
}
