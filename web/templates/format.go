package templates

import (
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // embeds the zone database so Paris times are right on any host

	"github.com/a-h/templ"

	"github.com/correspondant-entreprise/console/internal/accounts"

	"github.com/correspondant-entreprise/console/internal/siret"
)

// paris is the zone every time is shown in. The embedded database makes
// LoadLocation succeed even on a host without zoneinfo files.
var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("templates: load time zone %s: %v", name, err))
	}
	return loc
}

// ParisTime formats an instant as French readers expect it in Paris time,
// for example "04/12/2026 à 23:32".
func ParisTime(t time.Time) string {
	return t.In(paris).Format("02/01/2006 à 15:04")
}

// formatSIRET groups the digits of a SIRET for reading.
func formatSIRET(number string) string {
	return siret.Format(number)
}

func accountURL(id int64) templ.SafeURL {
	return templ.SafeURL("/comptes/" + strconv.FormatInt(id, 10))
}

// errorCount writes "une erreur" or "3 erreurs".
func errorCount(n int) string {
	if n == 1 {
		return "une erreur"
	}
	return strconv.Itoa(n) + "\u00a0erreurs"
}

// describedBy returns the ids that describe a field: its hint, and its error
// message when it has one.
func describedBy(errors map[string]string, field, hint string) string {
	if _, ok := errors[field]; ok {
		return hint + " " + field + "-error"
	}
	return hint
}

func choiceID(i int) string {
	return "siret-" + strconv.Itoa(i)
}

// choiceReasonAttrs points an unavailable choice at the text that explains why
// it cannot be selected.
func choiceReasonAttrs(i int, c accounts.SIRETChoice) templ.Attributes {
	if c.Available() {
		return nil
	}
	return templ.Attributes{"aria-describedby": choiceID(i) + "-reason"}
}

func checkState(met bool) string {
	if met {
		return "Respecté\u00a0:"
	}
	return "Non respecté\u00a0:"
}
