package db

import (
	"database/sql"
	"strings"
)

// likeEscaper escapes the LIKE wildcards and the escape character itself.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike escapes s for a LIKE pattern written with ESCAPE '\', so that
// "%" and "_" typed in a search match themselves.
func EscapeLike(s string) string {
	return likeEscaper.Replace(s)
}

// NullID returns id as a nullable column value: 0, which no row has, is
// stored as NULL. It serves the optional user references, where 0 stands
// for the system.
func NullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}
