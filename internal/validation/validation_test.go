package validation

import (
	"errors"
	"fmt"
	"testing"
)

func TestAddKeepsFirstMessage(t *testing.T) {
	e := Errors{}
	e.Add("email", "premier")
	e.Add("email", "second")
	if got := e["email"]; got != "premier" {
		t.Errorf("message: got %q, want %q", got, "premier")
	}
}

func TestErrNilWhenEmpty(t *testing.T) {
	if err := (Errors{}).Err(); err != nil {
		t.Errorf("Err of empty Errors: got %v, want nil", err)
	}
}

func TestErrorsAs(t *testing.T) {
	e := Errors{}
	e.Add("siret", "message")
	e.Add("identifier", "message")
	wrapped := fmt.Errorf("create: %w", e.Err())

	var got Errors
	if !errors.As(wrapped, &got) {
		t.Fatal("errors.As did not find the Errors")
	}
	if len(got) != 2 {
		t.Errorf("fields: got %d, want 2", len(got))
	}
	if msg := got.Error(); msg != "invalid fields: identifier, siret" {
		t.Errorf("Error(): got %q, want %q", msg, "invalid fields: identifier, siret")
	}
}
