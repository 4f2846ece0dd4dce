// Package clock provides the single source of business time.
package clock

import "time"

// Clock returns the current business time. Every business timestamp
// (creation, request, effective time) comes from one Clock, so that an
// emulated clock can move all of them together.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock, in UTC.
type Real struct{}

// Now returns the wall-clock time in UTC.
func (Real) Now() time.Time { return time.Now().UTC() }

// Fixed is a clock stopped at one instant, for tests and reproducible runs.
type Fixed time.Time

// Now returns the fixed instant in UTC.
func (f Fixed) Now() time.Time { return time.Time(f).UTC() }
