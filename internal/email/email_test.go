package email

import (
	"errors"
	"strings"
	"testing"
)

// addressOfLength returns an ASCII address of exactly length bytes, with a
// 64-byte local part and domain labels of at most 63 bytes. length must be
// between 197 and 259.
func addressOfLength(t *testing.T, length int) string {
	t.Helper()

	localPart := strings.Repeat("a", 64)
	fixed := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "."
	// The variable label and ".fr" take what remains after the local part,
	// the '@' and the two fixed labels with their dots.
	variable := length - len(localPart) - 1 - len(fixed) - len(".fr")
	if variable < 1 || variable > 63 {
		t.Fatalf("addressOfLength(%d): variable label would have %d bytes, want 1 to 63", length, variable)
	}

	address := localPart + "@" + fixed + strings.Repeat("d", variable) + ".fr"
	if len(address) != length {
		t.Fatalf("addressOfLength(%d): got %d bytes, want %d", length, len(address), length)
	}

	return address
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		want    string
		wantErr error
	}{
		{"plain address", "jean.dupont@entreprise.fr", "jean.dupont@entreprise.fr", nil},
		{"domain lower-cased", "Jean.Dupont@Entreprise.FR", "Jean.Dupont@entreprise.fr", nil},
		{"surrounding spaces trimmed", "  jean@x.fr \t", "jean@x.fr", nil},
		{"trailing newline trimmed", "jean@x.fr\r\n", "jean@x.fr", nil},
		{"plus and hyphen", "jean+api@mon-entreprise.fr", "jean+api@mon-entreprise.fr", nil},
		{"subdomain", "api@mail.entreprise.gouv.fr", "api@mail.entreprise.gouv.fr", nil},
		{"IDN to punycode", "a@exämple.fr", "a@xn--exmple-cua.fr", nil},
		{"punycode upper-case", "a@XN--EXMPLE-CUA.FR", "a@xn--exmple-cua.fr", nil},
		{"ideographic full stop", "a@exemple\u3002fr", "a@exemple.fr", nil},
		{"Unicode local part kept", "Jérôme@x.fr", "Jérôme@x.fr", nil},

		{"empty", "", "", ErrEmpty},
		{"blank", " \t\r\n ", "", ErrEmpty},

		{"display name", "Jean <jean@x.fr>", "", ErrDisplayName},
		{"quoted display name", `"Jean Dupont" <jean@x.fr>`, "", ErrDisplayName},
		{"display name with comma", `"Dupont, Jean" <jean@x.fr>`, "", ErrDisplayName},
		{"angle brackets only", "<jean@x.fr>", "", ErrDisplayName},
		{"trailing comment", "jean@x.fr (Jean)", "", ErrDisplayName},

		{"comma list", "a@b.fr, c@d.fr", "", ErrMultiple},
		{"semicolon list", "a@b.fr;c@d.fr", "", ErrMultiple},
		{"list with names", "Jean <a@b.fr>, Marc <c@d.fr>", "", ErrMultiple},

		{"quoted local part", `"john doe"@x.fr`, "", ErrQuotedLocalPart},
		{"quoted without space", `"john"@x.fr`, "", ErrQuotedLocalPart},

		{"no dot in domain", "a@localhost", "", ErrDomain},

		{"empty domain label", "a@b..fr", "", ErrInvalid},
		{"leading hyphen label", "a@-b.fr", "", ErrInvalid},
		{"trailing hyphen label", "a@b-.fr", "", ErrInvalid},
		{"hyphens at 3 and 4", "a@ab--cd.fr", "", ErrInvalid},
		{"underscore in domain", "a@b_c.fr", "", ErrInvalid},
		{"domain literal", "a@[192.0.2.1]", "", ErrInvalid},
		{"label of 64 bytes", "a@" + strings.Repeat("b", 64) + ".fr", "", ErrInvalid},
		{"trailing dot", "a@b.fr.", "", ErrInvalid},
		{"no at sign", "jean.x.fr", "", ErrInvalid},
		{"empty local part", "@x.fr", "", ErrInvalid},
		{"trailing comma", "a@b.fr,", "", ErrInvalid},
		{"newline inside", "jean@x\n.fr", "", ErrInvalid},
		{"tab inside", "jean\t@x.fr", "", ErrInvalid},
		{"NUL inside", "jean\x00@x.fr", "", ErrInvalid},
		{"line separator inside", "jean\u2028@x.fr", "", ErrInvalid},
		{"no-break space in local part", "jean\u00a0dupont@x.fr", "", ErrInvalid},
		{"zero-width space in local part", "jean\u200b@x.fr", "", ErrInvalid},
		{"no-break space in domain", "jean@x\u00a0y.fr", "", ErrInvalid},
		{"invalid UTF-8", "jean\xff@x.fr", "", ErrInvalid},
		{"space inside", "jean dupont@x.fr", "", ErrInvalid},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.input)

			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Normalize(%q) error: got %v, want %v", tc.input, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("Normalize(%q): got %q, want %q", tc.input, got, tc.want)
			}
		})
	}
}

func TestNormalizeLength(t *testing.T) {
	t.Run("254 bytes accepted", func(t *testing.T) {
		input := addressOfLength(t, 254)

		got, err := Normalize(input)
		if err != nil {
			t.Fatalf("Normalize(%d-byte address) error: got %v, want nil", len(input), err)
		}
		if got != input {
			t.Errorf("Normalize(%d-byte address): got %q, want %q", len(input), got, input)
		}
	})

	t.Run("255 bytes rejected", func(t *testing.T) {
		input := addressOfLength(t, 255)

		got, err := Normalize(input)
		if !errors.Is(err, ErrTooLong) {
			t.Errorf("Normalize(%d-byte address) error: got %v, want %v", len(input), err, ErrTooLong)
		}
		if got != "" {
			t.Errorf("Normalize(%d-byte address): got %q, want empty result", len(input), got)
		}
	})

	t.Run("punycode counted", func(t *testing.T) {
		// The input has 250 bytes. Its last label, 52 "d" and an "ä", has 54
		// bytes in UTF-8 but 60 in punycode ("xn--dd…d-6me"), so the
		// canonical address has 256 bytes.
		ascii := addressOfLength(t, 250)
		input := strings.TrimSuffix(ascii, "dd.fr") + "ä.fr"
		if len(input) != 250 {
			t.Fatalf("input has %d bytes, want 250", len(input))
		}

		_, err := Normalize(input)
		if !errors.Is(err, ErrTooLong) {
			t.Errorf("Normalize(%d-byte IDN address) error: got %v, want %v", len(input), err, ErrTooLong)
		}
	})
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"empty", ErrEmpty, "Saisissez une adresse électronique."},
		{"invalid", ErrInvalid, "Cette adresse électronique n’est pas valide\u00a0: saisissez-la sous la forme nom@entreprise.fr."},
		{"display name", ErrDisplayName, "Saisissez l’adresse seule, sans nom d’affichage ni chevrons (par exemple nom@entreprise.fr)."},
		{"multiple", ErrMultiple, "Saisissez une seule adresse électronique."},
		{"too long", ErrTooLong, "L’adresse électronique dépasse 254 octets."},
		{"domain", ErrDomain, "Le domaine de l’adresse doit comporter au moins un point (par exemple entreprise.fr)."},
		{"quoted local part", ErrQuotedLocalPart, "Les guillemets ne sont pas acceptés dans l’adresse électronique\u00a0: saisissez-la sous la forme nom@entreprise.fr."},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("message: got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	seeds := []string{
		"",
		"jean@x.fr",
		"Jean.Dupont@Entreprise.FR",
		"a@exämple.fr",
		"a@xn--exmple-cua.fr",
		"Jean <jean@x.fr>",
		"a@b.fr, c@d.fr",
		`"john doe"@x.fr`,
		"a@localhost",
		"jean@x\n.fr",
		"Jérôme@x.fr",
		"a@XN--EXMPLE-CUA.FR",
		"a@exemple\u3002fr",
		"Jean <a@b.fr>, Marc <c@d.fr>",
	}
	for _, seed := range seeds {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, input string) {
		got, err := Normalize(input)
		if err != nil {
			if got != "" {
				t.Errorf("Normalize(%q) returned %q with error %v, want empty result", input, got, err)
			}
			return
		}

		again, err := Normalize(got)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which Normalize rejects with %v", input, got, err)
		}
		if again != got {
			t.Errorf("Normalize(%q) = %q, but Normalize(%q) = %q", input, got, got, again)
		}
		if len(got) > maxAddressLength {
			t.Errorf("Normalize(%q) = %q, which has %d bytes, want at most %d", input, got, len(got), maxAddressLength)
		}
	})
}
