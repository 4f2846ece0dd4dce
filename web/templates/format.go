package templates

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/settings"

	"github.com/correspondant-entreprise/console/internal/siret"
)

// ParisTime formats an instant in Paris time, for example
// "04/12/2026 à 23:32".
func ParisTime(t time.Time) string {
	return clock.ParisTime(t)
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
		return hint + " " + fieldID(field) + "-error"
	}
	return hint
}

// fieldID returns the HTML id of the element of a form field. Field names
// such as "reason.PNTS" contain dots, which CSS selectors would read as a
// class, so ids use dashes instead.
func fieldID(field string) string {
	return strings.ReplaceAll(field, ".", "-")
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

// fieldLabels names the settings fields of an API for a sentence, in
// lower case: "l’adresse de base … et le jeton …".
func fieldLabels(fields []habilitations.Field) string {
	labels := make([]string, len(fields))
	for i, f := range fields {
		labels[i] = "«\u00a0" + f.Label + "\u00a0»"
	}
	switch len(labels) {
	case 0:
		return ""
	case 1:
		return labels[0]
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " et " + labels[len(labels)-1]
}

// change is one value of a journal entry, before and after.
type change struct {
	Key, Before, After string
}

// journalChanges pairs the before and after values of an entry by key, in
// key order.
func journalChanges(e journal.Entry) []change {
	keys := map[string]bool{}
	for k := range e.Before {
		keys[k] = true
	}
	for k := range e.After {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)

	changes := make([]change, len(sorted))
	for i, k := range sorted {
		changes[i] = change{Key: k, Before: e.Before[k], After: e.After[k]}
	}
	return changes
}

// actionLabels names the journal actions in French.
var actionLabels = map[string]string{
	journal.ActionAccountCreated:         "Création de compte",
	journal.ActionAccountEmailChanged:    "Changement d’adresse électronique",
	journal.ActionAccountPasswordChanged: "Changement de mot de passe",
	journal.ActionAccountDeleted:         "Suppression de compte",
	journal.ActionRequestSubmitted:       "Demande d’habilitation",
	journal.ActionRequestCancelled:       "Annulation de demande",
	journal.ActionRequestDecided:         "Décision sur une demande",
	journal.ActionHabilitationGranted:    "Habilitation accordée",
	journal.ActionHabilitationRefused:    "Habilitation refusée",
	journal.ActionHabilitationRevoked:    "Habilitation retirée",
	settings.ActionChanged:               "Modification de paramètre",
	settings.ActionCancelled:             "Annulation de modification de paramètre",
	settings.ActionApplied:               "Paramètre pris en compte",
	settings.ActionDomainAsked:           "Demande d’ouverture de domaine",
	settings.ActionDomainOpened:          "Domaine ouvert",
	settings.ActionDomainRefused:         "Ouverture de domaine refusée",
}

// ActionLabel returns the French name of a journal action, or the action
// itself when it has none.
func ActionLabel(action string) string {
	if label, ok := actionLabels[action]; ok {
		return label
	}
	return action
}

// currentPage marks the navigation link of the page being shown.
func currentPage(current bool) templ.Attributes {
	if !current {
		return nil
	}
	return templ.Attributes{"aria-current": "page"}
}

// onlyFields returns the errors of the listed fields, so each form of a
// page summarises its own errors.
func onlyFields(errors map[string]string, fields []string) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		if msg, ok := errors[f]; ok {
			out[f] = msg
		}
	}
	return out
}

// anyAvailable reports whether a new account can be created on one of the
// choices.
func anyAvailable(choices []accounts.SIRETChoice) bool {
	for _, c := range choices {
		if c.Available() {
			return true
		}
	}
	return false
}

// timeLeft returns the time until an instant in French: "dans 3 h 59 min".
func timeLeft(at, now time.Time) string {
	d := at.Sub(now)
	if d <= 0 {
		return "prise en compte imminente"
	}
	return "dans " + delayText(d.Round(time.Minute))
}

// delayText writes a duration in French: "4 h", "15 min", "1 h 30 min".
func delayText(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "moins d’une minute"
	}
	hours, minutes := int(d/time.Hour), int((d%time.Hour)/time.Minute)
	switch {
	case hours == 0:
		return strconv.Itoa(minutes) + "\u00a0min"
	case minutes == 0:
		return strconv.Itoa(hours) + "\u00a0h"
	}
	return strconv.Itoa(hours) + "\u00a0h\u00a0" + strconv.Itoa(minutes) + "\u00a0min"
}

func fieldKeys(api settings.API) []string {
	keys := make([]string, len(api.Fields))
	for i, f := range api.Fields {
		keys[i] = f.Key
	}
	return keys
}

// inputValueOf returns what a settings input shows: the value typed in a
// rejected form, else the latest saved value.
func inputValueOf(v SettingsEditPage, f settings.Field) string {
	if typed, ok := v.Values[f.Key]; ok {
		return typed
	}
	if c := f.Current(); c != nil {
		return c.Display
	}
	return ""
}

func tokenPlaceholder(f settings.Field) string {
	if c := f.Current(); c != nil {
		return "Laisser vide pour conserver le jeton " + c.Display
	}
	return ""
}

// attemptCount writes "1 tentative" or "3 tentatives".
func attemptCount(n int) string {
	if n == 1 {
		return "1\u00a0tentative"
	}
	return strconv.Itoa(n) + "\u00a0tentatives"
}
