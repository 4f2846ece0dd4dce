package settings

import (
	"errors"
	"strings"
	"testing"
)

const urlLabel = "Adresse de base des services de rappel"

// urlOfLength returns an accepted url of exactly n bytes.
func urlOfLength(n int) string {
	prefix := "https://api.exemple.fr/"
	return prefix + strings.Repeat("a", n-len(prefix))
}

func TestNormalizeValueURLAccepted(t *testing.T) {
	cases := []struct {
		name  string
		input string
		want  string
	}{
		{"plain", "https://api.exemple.fr", "https://api.exemple.fr"},
		{"root path", "https://api.exemple.fr/", "https://api.exemple.fr/"},
		{"surrounding whitespace", " \t https://api.exemple.fr/rappel\r\n", "https://api.exemple.fr/rappel"},
		{"port", "https://api.exemple.fr:8443/rappel", "https://api.exemple.fr:8443/rappel"},
		{"port 1", "https://api.exemple.fr:1/", "https://api.exemple.fr:1/"},
		{"port 65535", "https://api.exemple.fr:65535/", "https://api.exemple.fr:65535/"},
		{"port leading zero", "https://api.exemple.fr:0443/", "https://api.exemple.fr:443/"},
		{"empty port dropped", "https://api.exemple.fr:/rappel", "https://api.exemple.fr/rappel"},
		{"path and query", "https://api.exemple.fr/douane/v1/rappel?client=42&mode=test", "https://api.exemple.fr/douane/v1/rappel?client=42&mode=test"},
		{"empty query kept", "https://api.exemple.fr/rappel?", "https://api.exemple.fr/rappel?"},
		{"encoded path kept", "https://api.exemple.fr/a%2Fb/c%20d", "https://api.exemple.fr/a%2Fb/c%20d"},
		{"path case kept", "https://api.exemple.fr/Rappel/V1", "https://api.exemple.fr/Rappel/V1"},
		{"uppercase scheme and host", "HTTPS://API.Exemple.FR/Rappel", "https://api.exemple.fr/Rappel"},
		{"IDN to punycode", "https://exämple.fr/cb", "https://xn--exmple-cua.fr/cb"},
		{"uppercase IDN", "https://EXÄMPLE.FR/cb", "https://xn--exmple-cua.fr/cb"},
		{"percent-encoded IDN", "https://ex%C3%A4mple.fr/cb", "https://xn--exmple-cua.fr/cb"},
		{"punycode kept", "https://xn--exmple-cua.fr/cb", "https://xn--exmple-cua.fr/cb"},
		{"trailing dot removed", "https://api.example.fr./cb", "https://api.example.fr/cb"},
		{"trailing dot with port", "https://api.example.fr.:8443/cb", "https://api.example.fr:8443/cb"},
		{"hyphen and digits", "https://api-2.exemple-1.fr/", "https://api-2.exemple-1.fr/"},
		{"numeric label not last", "https://10.exemple.fr/", "https://10.exemple.fr/"},
		{"max length", urlOfLength(MaxURLBytes), urlOfLength(MaxURLBytes)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeValue(KindURL, urlLabel, c.input)
			if err != nil {
				t.Fatalf("NormalizeValue(%q): got error %q, want %q", c.input, err, c.want)
			}
			if got != c.want {
				t.Errorf("NormalizeValue(%q): got %q, want %q", c.input, got, c.want)
			}
		})
	}
}

func TestNormalizeValueURLRejected(t *testing.T) {
	cases := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", "", "Renseignez le champ «\u00a0" + urlLabel + "\u00a0»."},
		{"only whitespace", " \t\r\n", "Renseignez le champ «\u00a0" + urlLabel + "\u00a0»."},
		{"http", "http://api.exemple.fr/rappel", msgURLScheme},
		{"ftp", "ftp://api.exemple.fr/rappel", msgURLScheme},
		{"no scheme", "api.exemple.fr/rappel", msgURLScheme},
		{"no host", "https:///rappel", msgURLNoHost},
		{"opaque", "https:api.exemple.fr", msgURLNoHost},
		{"user and password", "https://user:secret@api.exemple.fr/", msgURLUserInfo},
		{"user only", "https://user@api.exemple.fr/", msgURLUserInfo},
		{"empty userinfo", "https://@api.exemple.fr/", msgURLUserInfo},
		{"fragment", "https://api.exemple.fr/rappel#section", msgURLFragment},
		{"empty fragment", "https://api.exemple.fr/rappel#", msgURLFragment},
		{"IPv4", "https://192.0.2.1/rappel", msgURLIPAddress},
		{"IPv4 trailing dot", "https://192.0.2.1./rappel", msgURLIPAddress},
		{"IPv4 with port", "https://192.0.2.1:8443/rappel", msgURLIPAddress},
		{"IPv4 short form", "https://192.168.1/rappel", msgURLIPAddress},
		{"IPv4 hex form", "https://0xc0.0x0.0x2.0x1/rappel", msgURLIPAddress},
		{"IPv4 mixed form", "https://10.0x1/rappel", msgURLIPAddress},
		{"IPv4 decimal form", "https://3221225985/rappel", msgURLIPAddress},
		{"IPv6", "https://[2001:db8::1]/rappel", msgURLIPAddress},
		{"IPv6 with port", "https://[2001:db8::1]:8443/rappel", msgURLIPAddress},
		{"IPv6 zone", "https://[fe80::1%25eth0]/rappel", msgURLIPAddress},
		{"IPv4-mapped IPv6", "https://[::ffff:192.0.2.1]/rappel", msgURLIPAddress},
		{"localhost", "https://localhost/rappel", msgURLLocalHost},
		{"localhost trailing dot", "https://localhost./rappel", msgURLLocalHost},
		{"localhost subdomain", "https://api.localhost/rappel", msgURLLocalHost},
		{"single label", "https://intranet/rappel", msgURLLocalHost},
		{"two trailing dots", "https://api.exemple.fr../rappel", msgURLHostName},
		{"only a dot", "https://./rappel", msgURLHostName},
		{"empty label", "https://api..exemple.fr/rappel", msgURLHostName},
		{"leading dot", "https://.exemple.fr/rappel", msgURLHostName},
		{"underscore", "https://api_1.exemple.fr/rappel", msgURLHostName},
		{"leading hyphen", "https://-api.exemple.fr/rappel", msgURLHostName},
		{"trailing hyphen", "https://api-.exemple.fr/rappel", msgURLHostName},
		{"empty punycode label", "https://xn--.fr/rappel", msgURLHostName},
		{"percent-encoded invalid UTF-8 host", "https://%80.exemple.fr/rappel", msgURLHostName},
		{"percent-encoded no-break space host", "https://api%C2%A0.exemple.fr/rappel", msgURLHostName},
		{"invalid punycode", "https://xn--zz.fr/rappel", msgURLHostName},
		{"label of 64 bytes", "https://" + strings.Repeat("a", 64) + ".fr/", msgURLHostName},
		{"name of 254 bytes", "https://" + strings.Repeat(strings.Repeat("a", 62)+".", 4) + "fr/", msgURLHostName},
		{"port 0", "https://api.exemple.fr:0/rappel", msgURLPort},
		{"port 70000", "https://api.exemple.fr:70000/rappel", msgURLPort},
		{"port overflow", "https://api.exemple.fr:99999999999999999999/", msgURLPort},
		{"port not numeric", "https://api.exemple.fr:abc/", msgURLSyntax},
		{"invalid escape", "https://api.exemple.fr/%zz", msgURLSyntax},
		{"space inside", "https://api.exemple.fr/mon rappel", msgURLCharacter},
		{"tab inside", "https://api.exemple.fr/\trappel", msgURLCharacter},
		{"no-break space inside", "https://api.exemple.fr/mon\u00a0rappel", msgURLCharacter},
		{"control character", "https://api.exemple.fr/rap\x01pel", msgURLCharacter},
		{"DEL character", "https://api.exemple.fr/rap\x7fpel", msgURLCharacter},
		{"bidi override", "https://api.exemple.fr/\u202erappel", msgURLCharacter},
		{"zero-width joiner", "https://api\u200d.exemple.fr/", msgURLCharacter},
		{"invalid UTF-8", "https://api.exemple.fr/\xff", msgURLEncoding},
		{"2049 bytes", urlOfLength(MaxURLBytes + 1), "L’adresse ne doit pas dépasser 2048 octets une fois normalisée " +
			"(elle en compte 2049)\u00a0: raccourcissez le chemin ou les paramètres."},
		{"2049 bytes after punycode", "https://exämple.fr/" + strings.Repeat("a", MaxURLBytes-len("https://xn--exmple-cua.fr/")+1),
			"L’adresse ne doit pas dépasser 2048 octets une fois normalisée " +
				"(elle en compte 2049)\u00a0: raccourcissez le chemin ou les paramètres."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeValue(KindURL, urlLabel, c.input)
			if err == nil {
				t.Fatalf("NormalizeValue(%q): got %q and no error, want error %q", c.input, got, c.want)
			}
			var invalid InvalidValue
			if !errors.As(err, &invalid) {
				t.Fatalf("NormalizeValue(%q): got error of type %T, want InvalidValue", c.input, err)
			}
			if err.Error() != c.want {
				t.Errorf("NormalizeValue(%q): got error %q, want %q", c.input, err, c.want)
			}
			if got != "" {
				t.Errorf("NormalizeValue(%q): got value %q with the error, want \"\"", c.input, got)
			}
		})
	}
}

func TestNormalizeValueMissingWithoutLabel(t *testing.T) {
	_, err := NormalizeValue(KindText, "", "  ")
	want := "Renseignez ce champ."
	if err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

func TestNormalizeValueUnknownKind(t *testing.T) {
	_, err := NormalizeValue("date", "Date", "2026-01-01")
	if err == nil {
		t.Fatal("got no error, want an error for the unknown kind")
	}
	var invalid InvalidValue
	if errors.As(err, &invalid) {
		t.Errorf("got InvalidValue %q, want a plain error", err)
	}
}

func TestURLHost(t *testing.T) {
	cases := []struct {
		name   string
		stored string
		want   string
	}{
		{"plain", "https://api.exemple.fr/rappel", "api.exemple.fr"},
		{"port removed", "https://api.exemple.fr:8443/rappel", "api.exemple.fr"},
		{"lower-cased", "https://API.Exemple.FR/", "api.exemple.fr"},
		{"trailing dot removed", "https://api.exemple.fr./", "api.exemple.fr"},
		{"IDN to punycode", "https://exämple.fr/cb", "xn--exmple-cua.fr"},
		{"punycode kept", "https://xn--exmple-cua.fr/cb", "xn--exmple-cua.fr"},
		{"http scheme", "http://api.exemple.fr/", "api.exemple.fr"},
		{"empty", "", ""},
		{"no host", "https:///rappel", ""},
		{"relative", "/rappel", ""},
		{"unparsable", "https://api.exemple.fr:abc/", ""},
		{"IPv4", "https://192.0.2.1/", ""},
		{"IPv6", "https://[2001:db8::1]:8443/", ""},
		{"localhost", "https://localhost/", ""},
		{"invalid host name", "https://api_1.exemple.fr/", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := URLHost(c.stored); got != c.want {
				t.Errorf("URLHost(%q): got %q, want %q", c.stored, got, c.want)
			}
		})
	}
}

func TestURLHostOfNormalizedValue(t *testing.T) {
	stored, err := NormalizeValue(KindURL, urlLabel, "HTTPS://Exämple.FR.:8443/cb?x=1")
	if err != nil {
		t.Fatalf("NormalizeValue: got error %q, want none", err)
	}
	if got, want := URLHost(stored), "xn--exmple-cua.fr"; got != want {
		t.Errorf("URLHost(%q): got %q, want %q", stored, got, want)
	}
}

func TestNormalizeValueToken(t *testing.T) {
	const label = "Jeton d’authentification"
	printable := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteByte(byte(0x21 + i%(0x7E-0x21+1)))
		}
		return b.String()
	}
	accepted := []struct {
		name  string
		input string
	}{
		{"16 characters", strings.Repeat("a", MinTokenLength)},
		{"512 characters", strings.Repeat("Z", MaxTokenLength)},
		{"every printable byte", printable(0x7E - 0x21 + 1)},
		{"base64 with padding", "dGhpcyBpcyBhIHRva2VuIQ=="},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeValue(KindToken, label, c.input)
			if err != nil {
				t.Fatalf("got error %q, want none", err)
			}
			if got != c.input {
				t.Errorf("got %q, want the input unchanged %q", got, c.input)
			}
		})
	}

	secret := "s3cr3t-T0ken-Value"
	rejected := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", "", "Renseignez le champ «\u00a0" + label + "\u00a0»."},
		{"15 characters", secret[:MinTokenLength-1], msgTokenLength},
		{"513 characters", strings.Repeat(secret, 30)[:MaxTokenLength+1], msgTokenLength},
		{"space inside", "s3cr3t T0ken-Value", msgTokenCharacter},
		{"tab inside", "s3cr3t\tT0ken-Value", msgTokenCharacter},
		{"accented letter", "s3cr3t-T0ken-Valué", msgTokenCharacter},
		{"DEL character", "s3cr3t-T0ken-Value\x7f", msgTokenCharacter},
		{"NUL character", "s3cr3t-T0ken\x00Value", msgTokenCharacter},
		{"leading space", " " + secret, msgTokenSpace},
		{"trailing space", secret + " ", msgTokenSpace},
		{"trailing newline", secret + "\n", msgTokenSpace},
		{"leading tab", "\t" + secret, msgTokenSpace},
		{"leading no-break space", "\u00a0" + secret, msgTokenSpace},
		{"only spaces", strings.Repeat(" ", 20), msgTokenSpace},
	}
	for _, c := range rejected {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeValue(KindToken, label, c.input)
			if err == nil {
				t.Fatalf("got %q and no error, want error %q", got, c.want)
			}
			var invalid InvalidValue
			if !errors.As(err, &invalid) {
				t.Fatalf("got error of type %T, want InvalidValue", err)
			}
			if err.Error() != c.want {
				t.Errorf("got error %q, want %q", err, c.want)
			}
			if trimmed := strings.TrimSpace(c.input); trimmed != "" && strings.Contains(err.Error(), trimmed) {
				t.Errorf("error %q contains the token", err)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "T0ken") {
				t.Errorf("error %q contains part of the token", err)
			}
		})
	}
}

func TestNormalizeValueText(t *testing.T) {
	const label = "Nom du contact technique"
	accepted := []struct {
		name  string
		input string
		want  string
	}{
		{"plain", "Service informatique", "Service informatique"},
		{"trimmed", " \t Service informatique\u00a0\n", "Service informatique"},
		{"accents and quotes", "Équipe «\u00a0Douane\u00a0» — Roissy", "Équipe «\u00a0Douane\u00a0» — Roissy"},
		{"one character", "x", "x"},
		{"1000 characters", strings.Repeat("é", MaxTextLength), strings.Repeat("é", MaxTextLength)},
		{"inner spaces kept", "a  b", "a  b"},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeValue(KindText, label, c.input)
			if err != nil {
				t.Fatalf("got error %q, want %q", err, c.want)
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}

	rejected := []struct {
		name  string
		input string
		want  string
	}{
		{"empty", "", "Renseignez le champ «\u00a0" + label + "\u00a0»."},
		{"only whitespace", " \u00a0\t\n", "Renseignez le champ «\u00a0" + label + "\u00a0»."},
		{"1001 characters", strings.Repeat("é", MaxTextLength+1), "Le texte ne doit pas dépasser 1000 caractères (il en compte 1001)."},
		{"12345 characters", strings.Repeat("a", 12345), "Le texte ne doit pas dépasser 1000 caractères (il en compte 12\u00a0345)."},
		{"newline inside", "ligne 1\nligne 2", msgTextControl},
		{"tab inside", "a\tb", msgTextControl},
		{"NUL character", "a\x00b", msgTextControl},
		{"C1 control", "a\u0085b", msgTextControl},
		{"invalid UTF-8", "a\xffb", msgTextEncoding},
	}
	for _, c := range rejected {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormalizeValue(KindText, label, c.input)
			if err == nil {
				t.Fatalf("got %q and no error, want error %q", got, c.want)
			}
			var invalid InvalidValue
			if !errors.As(err, &invalid) {
				t.Fatalf("got error of type %T, want InvalidValue", err)
			}
			if err.Error() != c.want {
				t.Errorf("got error %q, want %q", err, c.want)
			}
		})
	}
}

func TestFormatCount(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{
		{0, "0"},
		{999, "999"},
		{2048, "2048"},
		{65535, "65\u00a0535"},
		{123456, "123\u00a0456"},
		{1234567, "1\u00a0234\u00a0567"},
	}
	for _, c := range cases {
		if got := formatCount(c.n); got != c.want {
			t.Errorf("formatCount(%d): got %q, want %q", c.n, got, c.want)
		}
	}
}

func FuzzNormalizeValue(f *testing.F) {
	seeds := []string{
		"https://api.exemple.fr/rappel?x=1",
		"HTTPS://Exämple.FR.:0443/a%2Fb?",
		"https://ex%C3%A4mple.fr/caf%C3%A9?q=é",
		"https://api.exemple.fr/café",
		"https://api.exemple.fr:/",
		"https://[2001:db8::1]/",
		"https://user@api.exemple.fr/#x",
		"https://api.exemple.fr/a\\b",
		"https://xn--.fr/",
		"https://ｅｘａｍｐｌｅ.fr/",
		" https://a.b ",
		"https://%80.A",
	}
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		got, err := NormalizeValue(KindURL, urlLabel, input)
		if err != nil {
			var invalid InvalidValue
			if !errors.As(err, &invalid) {
				t.Fatalf("NormalizeValue(%q): got error of type %T, want InvalidValue", input, err)
			}
			if invalid.Message == "" {
				t.Fatalf("NormalizeValue(%q): got an empty message", input)
			}
			return
		}
		if len(got) > MaxURLBytes {
			t.Errorf("NormalizeValue(%q): got %d bytes, want at most %d", input, len(got), MaxURLBytes)
		}
		again, err := NormalizeValue(KindURL, urlLabel, got)
		if err != nil {
			t.Fatalf("NormalizeValue(%q) of accepted %q: got error %q, want none", got, input, err)
		}
		if again != got {
			t.Errorf("NormalizeValue(%q) of accepted %q: got %q, want it unchanged", got, input, again)
		}
		if URLHost(got) == "" {
			t.Errorf("URLHost(%q): got \"\", want the host name", got)
		}
	})
}
