package establishments_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/establishments"
	"github.com/correspondant-entreprise/console/internal/siret"
)

// openDB opens an empty database with every migration applied, in a file
// removed after the test.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	pool, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// countRows returns the number of rows in the table.
func countRows(t *testing.T, pool *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count rows of %s: %v", table, err)
	}
	return n
}

// checkEstablishment reports each field of got that differs from want.
func checkEstablishment(t *testing.T, label string, got, want establishments.Establishment) {
	t.Helper()
	if got.SIRET != want.SIRET {
		t.Errorf("%s SIRET: got %q, want %q", label, got.SIRET, want.SIRET)
	}
	if got.SIREN != want.SIREN {
		t.Errorf("%s SIREN: got %q, want %q", label, got.SIREN, want.SIREN)
	}
	if got.Label != want.Label {
		t.Errorf("%s Label: got %q, want %q", label, got.Label, want.Label)
	}
	if got.CompanyName != want.CompanyName {
		t.Errorf("%s CompanyName: got %q, want %q", label, got.CompanyName, want.CompanyName)
	}
}

func TestAdd(t *testing.T) {
	cases := []struct {
		name    string
		company string
		input   string
		label   string
		want    establishments.Establishment
	}{
		{
			name:    "canonical SIRET",
			company: "Atelier Boréal",
			input:   "81234567600017",
			label:   "Siège, Lyon",
			want:    establishments.Establishment{SIRET: "81234567600017", SIREN: "812345676", Label: "Siège, Lyon", CompanyName: "Atelier Boréal"},
		},
		{
			name:    "grouped with spaces",
			company: "Atelier Boréal",
			input:   "812 345 676 00017",
			label:   "Siège, Lyon",
			want:    establishments.Establishment{SIRET: "81234567600017", SIREN: "812345676", Label: "Siège, Lyon", CompanyName: "Atelier Boréal"},
		},
		{
			name:    "display form",
			company: "Atelier Boréal",
			input:   siret.Format("81234567600025"),
			label:   "Entrepôt",
			want:    establishments.Establishment{SIRET: "81234567600025", SIREN: "812345676", Label: "Entrepôt", CompanyName: "Atelier Boréal"},
		},
		{
			name:    "grouped with dots",
			company: "Comptoir des Épices Océanes",
			input:   "051.234.565.00011",
			label:   "",
			want:    establishments.Establishment{SIRET: "05123456500011", SIREN: "051234565", Label: "", CompanyName: "Comptoir des Épices Océanes"},
		},
		{
			name:    "surrounding spaces trimmed",
			company: "  La Poste\t",
			input:   " 35600000009075 ",
			label:   "  Plateforme colis  ",
			want:    establishments.Establishment{SIRET: "35600000009075", SIREN: "356000000", Label: "Plateforme colis", CompanyName: "La Poste"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := establishments.NewStore(openDB(t))
			ctx := context.Background()

			got, err := store.Add(ctx, tc.company, tc.input, tc.label)
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			checkEstablishment(t, "Add", got, tc.want)

			stored, err := store.Get(ctx, tc.want.SIRET)
			if err != nil {
				t.Fatalf("Get(%s): %v", tc.want.SIRET, err)
			}
			checkEstablishment(t, "Get", stored, tc.want)
		})
	}
}

func TestAddUpserts(t *testing.T) {
	pool := openDB(t)
	store := establishments.NewStore(pool)
	ctx := context.Background()

	if _, err := store.Add(ctx, "Atelier Boréal", "81234567600017", "Siège, Lyon"); err != nil {
		t.Fatalf("Add siège: %v", err)
	}

	t.Run("company renamed", func(t *testing.T) {
		if _, err := store.Add(ctx, "Atelier Boréal SAS", "81234567600025", "Entrepôt"); err != nil {
			t.Fatalf("Add entrepôt: %v", err)
		}
		siege, err := store.Get(ctx, "81234567600017")
		if err != nil {
			t.Fatalf("Get(81234567600017): %v", err)
		}
		if siege.CompanyName != "Atelier Boréal SAS" {
			t.Errorf("CompanyName of the first establishment: got %q, want %q", siege.CompanyName, "Atelier Boréal SAS")
		}
		if n := countRows(t, pool, "companies"); n != 1 {
			t.Errorf("companies rows: got %d, want 1", n)
		}
		if n := countRows(t, pool, "establishments"); n != 2 {
			t.Errorf("establishments rows: got %d, want 2", n)
		}
	})

	t.Run("label replaced", func(t *testing.T) {
		if _, err := store.Add(ctx, "Atelier Boréal SAS", "812 345 676 00017", "Siège social, Lyon"); err != nil {
			t.Fatalf("Add siège again: %v", err)
		}
		siege, err := store.Get(ctx, "81234567600017")
		if err != nil {
			t.Fatalf("Get(81234567600017): %v", err)
		}
		if siege.Label != "Siège social, Lyon" {
			t.Errorf("Label: got %q, want %q", siege.Label, "Siège social, Lyon")
		}
		if n := countRows(t, pool, "establishments"); n != 2 {
			t.Errorf("establishments rows: got %d, want 2", n)
		}
	})
}

func TestAddRejects(t *testing.T) {
	pool := openDB(t)
	store := establishments.NewStore(pool)

	// wantErr is the sentinel the error wraps, nil when there is none, and
	// wantText a part of its message.
	cases := []struct {
		name     string
		company  string
		input    string
		wantErr  error
		wantText string
	}{
		{"empty SIRET", "Atelier Boréal", " ", siret.ErrEmpty, `SIRET " "`},
		{"13 digits", "Atelier Boréal", "8123456760001", siret.ErrFormat, `SIRET "8123456760001"`},
		{"letter", "Atelier Boréal", "8123456760001A", siret.ErrFormat, `SIRET "8123456760001A"`},
		{"checksum", "Atelier Boréal", "81234567600018", siret.ErrChecksum, `SIRET "81234567600018"`},
		{"empty company name", "  ", "81234567600017", nil, "empty company name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.Add(context.Background(), tc.company, tc.input, "Siège")
			if err == nil {
				t.Fatalf("Add(%q, %q): got %+v, want an error", tc.company, tc.input, got)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Add(%q, %q) error: got %v, want %v", tc.company, tc.input, err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("Add(%q, %q) error: got %q, want it to contain %q", tc.company, tc.input, err, tc.wantText)
			}
			if got != (establishments.Establishment{}) {
				t.Errorf("Add(%q, %q): got %+v, want the zero Establishment", tc.company, tc.input, got)
			}
			if n := countRows(t, pool, "companies"); n != 0 {
				t.Errorf("companies rows: got %d, want 0", n)
			}
			if n := countRows(t, pool, "establishments"); n != 0 {
				t.Errorf("establishments rows: got %d, want 0", n)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	store := establishments.NewStore(openDB(t))
	ctx := context.Background()
	if _, err := store.Add(ctx, "Atelier Boréal", "81234567600017", "Siège, Lyon"); err != nil {
		t.Fatalf("Add: %v", err)
	}

	cases := []struct {
		name   string
		number string
	}{
		{"unknown SIRET", "81234567600025"},
		{"empty", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.Get(ctx, tc.number)
			if !errors.Is(err, establishments.ErrNotFound) {
				t.Errorf("Get(%q) error: got %v, want %v", tc.number, err, establishments.ErrNotFound)
			}
			if got != (establishments.Establishment{}) {
				t.Errorf("Get(%q): got %+v, want the zero Establishment", tc.number, got)
			}
		})
	}
}
