package habilitations_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCatalog(t *testing.T) {
	f := newFixture(t)

	apis, err := f.store.Catalog(f.ctx)
	if err != nil {
		t.Fatalf("Catalog: %v", err)
	}

	wantCodes := []string{"DELTAH7", "DELTAIE", "GAMMA2", "PNTS"}
	if got := apiCodes(apis); !slices.Equal(got, wantCodes) {
		t.Fatalf("codes: got %v, want %v", got, wantCodes)
	}

	cases := []struct {
		code       string
		label      string
		contact    string
		withFields bool
	}{
		{"DELTAH7", "DeltaH7", "deltah7@douane-emulation.test", true},
		{"DELTAIE", "Delta IE", "delta-ie@douane-emulation.test", true},
		{"GAMMA2", "Gamma 2", "gamma2@douane-emulation.test", true},
		{"PNTS", "PNTS", "pnts@douane-emulation.test", false},
	}
	for i, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			api := apis[i]
			if api.Label != c.label {
				t.Errorf("label: got %q, want %q", api.Label, c.label)
			}
			if api.ContactEmail != c.contact {
				t.Errorf("contact: got %q, want %q", api.ContactEmail, c.contact)
			}
			if !strings.HasSuffix(api.ContactEmail, ".test") {
				t.Errorf("contact %q: want an address in the reserved .test domain", api.ContactEmail)
			}
			if api.Description == "" {
				t.Error("description: got empty, want a French description")
			}

			if !c.withFields {
				if len(api.Fields) != 0 {
					t.Errorf("fields: got %+v, want none", api.Fields)
				}
				return
			}
			if len(api.Fields) != 2 {
				t.Fatalf("fields: got %d (%+v), want 2", len(api.Fields), api.Fields)
			}

			url, token := api.Fields[0], api.Fields[1]
			if url.Key != "url" {
				t.Errorf("first field key: got %q, want %q", url.Key, "url")
			}
			if url.Label != "Adresse de base des services de rappel" {
				t.Errorf("url label: got %q, want %q", url.Label, "Adresse de base des services de rappel")
			}
			if url.Kind != "url" {
				t.Errorf("url kind: got %q, want %q", url.Kind, "url")
			}
			if !url.Required {
				t.Error("url required: got false, want true")
			}
			if url.Delay != 4*time.Hour {
				t.Errorf("url delay: got %v, want %v", url.Delay, 4*time.Hour)
			}

			if token.Key != "token" {
				t.Errorf("second field key: got %q, want %q", token.Key, "token")
			}
			if token.Label != "Jeton d’authentification présenté par la douane" {
				t.Errorf("token label: got %q, want %q", token.Label, "Jeton d’authentification présenté par la douane")
			}
			if token.Kind != "token" {
				t.Errorf("token kind: got %q, want %q", token.Kind, "token")
			}
			if !token.Required {
				t.Error("token required: got false, want true")
			}
			if token.Delay != 15*time.Minute {
				t.Errorf("token delay: got %v, want %v", token.Delay, 15*time.Minute)
			}
		})
	}
}
