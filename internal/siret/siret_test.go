package siret

import (
	"errors"
	"testing"
)

// Test numbers. Each comment states the Luhn results for the 14-digit SIRET
// and its 9-digit SIREN, and the digit sum where the La Poste rule depends on
// it. TestFixtureChecksums recomputes these facts.
const (
	// Luhn passes on both the SIRET and the SIREN 732829320.
	validSIRET = "73282932000074"

	// Luhn passes on both the SIRET and the SIREN 012345674, which starts
	// with a zero.
	leadingZeroSIRET = "01234567400019"

	// Luhn passes on the SIRET but fails on the SIREN 123456789.
	invalidSIRENSIRET = "12345678900015"

	// Luhn fails on the SIRET, and the digit sum is 35, a multiple of 5.
	laPosteByException = "35600000009075"

	// Luhn passes on the SIRET, so the La Poste rule is not needed. The digit
	// sum is 26, not a multiple of 5.
	laPosteLuhnValid = "35600000000048"

	// Luhn fails on the SIRET, and the digit sum is 20, a multiple of 5.
	laPosteSumTwenty = "35600000000015"

	// Luhn fails on the SIRET, and the digit sum is 19.
	laPosteSumNineteen = "35600000000023"

	// Luhn fails on the SIRET, and the digit sum is 16.
	laPosteSumSixteen = "35600000000011"

	// Luhn fails on the SIRET, and the digit sum is 45, a multiple of 5. The
	// La Poste rule must not apply to another SIREN.
	otherSIRENSumFortyFive = "73282932000072"

	// Luhn passes on the SIRET, but its SIREN is 000000000.
	zeroSIRENSIRET = "00000000000018"
)

func TestFixtureChecksums(t *testing.T) {
	cases := []struct {
		name      string
		siret     string
		siretLuhn bool
		sirenLuhn bool
		sum       int
	}{
		{"valid", validSIRET, true, true, 47},
		{"leading zero", leadingZeroSIRET, true, true, 42},
		{"invalid SIREN", invalidSIRENSIRET, true, false, 51},
		{"La Poste by exception", laPosteByException, false, true, 35},
		{"La Poste passing Luhn", laPosteLuhnValid, true, true, 26},
		{"La Poste sum 20", laPosteSumTwenty, false, true, 20},
		{"La Poste sum 19", laPosteSumNineteen, false, true, 19},
		{"La Poste sum 16", laPosteSumSixteen, false, true, 16},
		{"other SIREN sum 45", otherSIRENSumFortyFive, false, true, 45},
		{"zero SIREN", zeroSIRENSIRET, true, true, 9},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := luhnValid(tc.siret); got != tc.siretLuhn {
				t.Errorf("luhnValid(%q): got %v, want %v", tc.siret, got, tc.siretLuhn)
			}
			if got := luhnValid(tc.siret[:9]); got != tc.sirenLuhn {
				t.Errorf("luhnValid(%q): got %v, want %v", tc.siret[:9], got, tc.sirenLuhn)
			}
			if got := digitSum(tc.siret); got != tc.sum {
				t.Errorf("digitSum(%q): got %d, want %d", tc.siret, got, tc.sum)
			}
		})
	}
}

func TestLuhnValidKnownValues(t *testing.T) {
	cases := []struct {
		name   string
		digits string
		want   bool
	}{
		{"La Poste SIREN", "356000000", true},
		{"single zero", "0", true},
		{"card number example", "79927398713", true},
		{"card number off by one", "79927398714", false},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := luhnValid(tc.digits); got != tc.want {
				t.Errorf("luhnValid(%q): got %v, want %v", tc.digits, got, tc.want)
			}
		})
	}
}

func TestValid(t *testing.T) {
	cases := []struct {
		name  string
		siret string
		want  bool
	}{
		{"both checks pass", validSIRET, true},
		{"leading zero", leadingZeroSIRET, true},
		{"SIREN fails Luhn", invalidSIRENSIRET, false},
		{"La Poste by exception", laPosteByException, true},
		{"La Poste passing Luhn", laPosteLuhnValid, true},
		{"La Poste sum 20", laPosteSumTwenty, true},
		{"La Poste sum 19", laPosteSumNineteen, false},
		{"La Poste sum 16", laPosteSumSixteen, false},
		{"exception needs La Poste", otherSIRENSumFortyFive, false},
		{"all zeros", "00000000000000", false},
		{"zero SIREN", zeroSIRENSIRET, false},
		{"13 digits", validSIRET[:13], false},
		{"15 digits", validSIRET + "0", false},
		{"with spaces", "732 829 320 00074", false},
		{"empty", "", false},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Valid(tc.siret); got != tc.want {
				t.Errorf("Valid(%q): got %v, want %v", tc.siret, got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		want    string
		wantErr error
	}{
		{"canonical", validSIRET, validSIRET, nil},
		{"ASCII spaces", "732 829 320 00074", validSIRET, nil},
		{"dots", "732.829.320.00074", validSIRET, nil},
		{"hyphens", "732-829-320-00074", validSIRET, nil},
		{"no-break spaces", "732\u00a0829\u00a0320\u00a000074", validSIRET, nil},
		{"narrow no-break spaces", "732\u202f829\u202f320\u202f00074", validSIRET, nil},
		{"thin spaces", "732\u2009829\u2009320\u200900074", validSIRET, nil},
		{"tabs and surrounding spaces", "\t 732\t829\t320\t00074 ", validSIRET, nil},
		{"Unicode dashes", "732\u2010829\u2013320\u201500074", validSIRET, nil},
		{"leading zero kept", "012 345 674 00019", leadingZeroSIRET, nil},
		{"La Poste by exception", laPosteByException, laPosteByException, nil},
		{"La Poste passing Luhn", "356 000 000 00048", laPosteLuhnValid, nil},
		{"La Poste sum 19", laPosteSumNineteen, "", ErrChecksum},
		{"La Poste sum 16", laPosteSumSixteen, "", ErrChecksum},
		{"exception needs La Poste", otherSIRENSumFortyFive, "", ErrChecksum},
		{"SIREN fails Luhn", invalidSIRENSIRET, "", ErrChecksum},
		{"all zeros", "000 000 000 00000", "", ErrChecksum},
		{"zero SIREN", zeroSIRENSIRET, "", ErrChecksum},
		{"13 digits", "7328293200007", "", ErrFormat},
		{"15 digits", "732829320000740", "", ErrFormat},
		{"letters", "73282932O00074", "", ErrFormat},
		{"only letters", "abcdefghijklmn", "", ErrFormat},
		{"fullwidth digits", "７３２８２９３２０００７４", "", ErrFormat},
		{"Arabic-Indic digits", "٧٣٢٨٢٩٣٢٠٠٠٠٧٤", "", ErrFormat},
		{"newline inside", "7328293\n2000074", "", ErrFormat},
		{"slash separator", "732/829/320/00074", "", ErrFormat},
		{"invalid UTF-8", "7328293200007\xff", "", ErrFormat},
		{"empty", "", "", ErrEmpty},
		{"blank", " \t\u00a0\u202f ", "", ErrEmpty},
		{"separators only", "...---", "", ErrEmpty},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.input)

			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Parse(%q) error: got %v, want %v", tc.input, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("Parse(%q): got %q, want %q", tc.input, got, tc.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"empty", ErrEmpty, "Saisissez le SIRET de l’établissement."},
		{"format", ErrFormat, "Le SIRET doit comporter exactement 14 chiffres."},
		{"checksum", ErrChecksum, "Ce SIRET n’est pas valide\u00a0: vérifiez sa saisie (clé de contrôle incorrecte)."},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("message: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSIREN(t *testing.T) {
	cases := []struct {
		name  string
		siret string
		want  string
	}{
		{"valid", validSIRET, "732829320"},
		{"leading zero", leadingZeroSIRET, "012345674"},
		{"La Poste", laPosteByException, "356000000"},
		{"not canonical", "732 829 320 00074", ""},
		{"too short", "7328", ""},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SIREN(tc.siret); got != tc.want {
				t.Errorf("SIREN(%q): got %q, want %q", tc.siret, got, tc.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		name  string
		siret string
		want  string
	}{
		{"valid", validSIRET, "732\u00a0829\u00a0320\u00a000074"},
		{"leading zero", leadingZeroSIRET, "012\u00a0345\u00a0674\u00a000019"},
		{"already formatted", "732 829 320 00074", "732 829 320 00074"},
		{"13 digits", "7328293200007", "7328293200007"},
		{"empty", "", ""},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.siret); got != tc.want {
				t.Errorf("Format(%q): got %q, want %q", tc.siret, got, tc.want)
			}
		})
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	for _, siret := range []string{validSIRET, leadingZeroSIRET, laPosteByException} {
		t.Run(siret, func(t *testing.T) {
			got, err := Parse(Format(siret))
			if err != nil {
				t.Fatalf("Parse(Format(%q)) error: got %v, want nil", siret, err)
			}
			if got != siret {
				t.Errorf("Parse(Format(%q)): got %q, want %q", siret, got, siret)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		" ",
		validSIRET,
		"732 829 320 00074",
		"732\u00a0829\u202f320\u201300074",
		leadingZeroSIRET,
		laPosteByException,
		laPosteSumNineteen,
		invalidSIRENSIRET,
		"00000000000000",
		"７３２８２９３２０００７４",
		"7328293200007\xff",
	}
	for _, seed := range seeds {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, input string) {
		got, err := Parse(input)
		if err != nil {
			if got != "" {
				t.Errorf("Parse(%q) returned %q with error %v, want empty result", input, got, err)
			}
			return
		}

		if !isCanonical(got) {
			t.Errorf("Parse(%q): got %q, want 14 ASCII digits", input, got)
		}
		if !Valid(got) {
			t.Errorf("Parse(%q): got %q, which Valid rejects", input, got)
		}
	})
}

func TestDigits(t *testing.T) {
	cases := []struct {
		name   string
		input  string
		want   string
		wantOK bool
	}{
		{"grouped", "732 829", "732829", true},
		{"dots and dashes", "732.829-320", "732829320", true},
		{"tab and unicode dash", "732\t829\u2013320", "732829320", true},
		{"no-break spaces", "732\u00a0829\u202f320", "732829320", true},
		{"letters", "boreal", "", false},
		{"digits and letters", "732a", "", false},
		{"only separators", " .- ", "", false},
		{"empty", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Digits(tc.input)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Digits(%q): got (%q, %v), want (%q, %v)", tc.input, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
