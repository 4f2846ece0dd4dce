// Package validation collects the field errors of a form.
package validation

import (
	"slices"
	"strings"
)

// Errors maps form field names to French messages for the user. A non-empty
// Errors is the error that domain operations return for invalid input, so
// that the form can show every message next to its field.
type Errors map[string]string

// Add records the message for the field unless the field already has one:
// the first problem found is the one shown.
func (e Errors) Add(field, message string) {
	if _, seen := e[field]; !seen {
		e[field] = message
	}
}

// Err returns e as an error, or nil when it holds no message.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Error lists the faulty fields, for logs.
func (e Errors) Error() string {
	fields := make([]string, 0, len(e))
	for field := range e {
		fields = append(fields, field)
	}
	slices.Sort(fields)
	return "invalid fields: " + strings.Join(fields, ", ")
}
