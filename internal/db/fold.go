package db

import (
	"database/sql/driver"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"modernc.org/sqlite"
)

// Fold returns s in lower case without accents, so that "Épices" and
// "epices" compare equal: it decomposes s (NFD), drops the combining
// marks and lower-cases the rest. SQLite's own LIKE and lower() fold
// ASCII letters only.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

var registerFold sync.Once

// registerFoldFunction makes Fold available in SQL as fold(text) on every
// connection the driver opens afterwards; NULL stays NULL.
func registerFoldFunction() error {
	var err error
	registerFold.Do(func() {
		err = sqlite.RegisterDeterministicScalarFunction("fold", 1,
			func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
				switch v := args[0].(type) {
				case nil:
					return nil, nil
				case string:
					return Fold(v), nil
				case []byte:
					return Fold(string(v)), nil
				}
				return args[0], nil
			})
	})
	return err
}
