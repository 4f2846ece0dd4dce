package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/internal/settings"
	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/internal/validation"
	"github.com/correspondant-entreprise/console/web/templates"
)

func settingsActor(u *users.User) settings.Actor {
	return settings.Actor{ID: u.ID, Name: u.DisplayName}
}

// renderSettingsEdit renders the settings form of one API of an account;
// 404 when the account lies outside the scope or is not habilitated on the
// API.
func (s *Server) renderSettingsEdit(w http.ResponseWriter, r *http.Request, status int, id int64, code string, values, fieldErrors map[string]string, tokenCleared bool) {
	a, err := s.accounts.Get(r.Context(), scopeOf(currentUser(r)), id)
	if errors.Is(err, accounts.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.clock.Now()
	apis, err := s.settings.ForAccount(r.Context(), a.ID, now)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, api := range apis {
		if api.Code == code && len(api.Fields) > 0 {
			s.render(w, r, status, templates.SettingsEdit(templates.SettingsEditPage{
				Page:    s.page(r, "Paramètres "+api.Label+" du compte "+a.Identifier, "comptes"),
				Account: a,
				API:     api,
				Values:  values,
				Errors:  fieldErrors,
				Now:     now,

				TokenCleared: tokenCleared,
			}))
			return
		}
	}
	s.notFound(w, r)
}

// showSettingsEdit shows the settings form of one API of an account.
func (s *Server) showSettingsEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderSettingsEdit(w, r, http.StatusOK, id, chi.URLParam(r, "code"), nil, nil, false)
}

// saveSettings records the values typed for the settings of one API.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	code := chi.URLParam(r, "code")
	values := map[string]string{}
	for key := range r.PostForm {
		values[key] = r.PostForm.Get(key)
	}

	u := currentUser(r)
	saved, err := s.settings.Save(r.Context(), scopeOf(u), settingsActor(u), s.clock.Now(), id, code, values)
	var invalid validation.Errors
	switch {
	case errors.Is(err, settings.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.As(err, &invalid):
		// Typed values come back, except tokens: a secret is never sent
		// back to the browser.
		kept := map[string]string{}
		cleared := false
		for key, value := range values {
			if strings.Contains(strings.ToLower(key), "token") {
				cleared = cleared || value != ""
				continue
			}
			kept[key] = value
		}
		s.renderSettingsEdit(w, r, http.StatusUnprocessableEntity, id, code, kept, invalid, cleared)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}

	if len(saved) == 0 {
		s.flash(r, "Aucune modification à enregistrer\u00a0: les valeurs saisies sont celles déjà enregistrées.")
		redirect(w, r, accountPath(id)+"#parametres")
		return
	}
	s.wakeMailer()
	var parts []string
	for _, sv := range saved {
		parts = append(parts, fmt.Sprintf("la modification de «\u00a0%s\u00a0» sera prise en compte au plus tard le %s", sv.Label, clock.ParisTime(sv.EffectiveAt)))
		s.log.InfoContext(r.Context(), "settings value saved",
			slog.Int64("user_id", u.ID), slog.Int64("account_id", id), slog.String("api", code), slog.String("field", sv.Key))
	}
	s.flash(r, "Modification enregistrée\u00a0: "+strings.Join(parts, "\u00a0; ")+" (heure de Paris). D’ici là, la valeur précédente, s’il y en a une, reste en vigueur.")
	redirect(w, r, accountPath(id)+"#parametres")
}

// cancelSettingsChange cancels the pending change of one field.
func (s *Server) cancelSettingsChange(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}

	u := currentUser(r)
	err := s.settings.CancelPending(r.Context(), scopeOf(u), settingsActor(u), s.clock.Now(), id, chi.URLParam(r, "code"), r.PostForm.Get("key"))
	switch {
	case errors.Is(err, settings.ErrNotFound):
		s.notFound(w, r)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "La modification en attente est annulée\u00a0: la valeur en vigueur reste inchangée.")
	redirect(w, r, accountPath(id)+"#parametres")
}

// requestDomainOpening records a request that customs open the domain of
// the API's url.
func (s *Server) requestDomainOpening(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}

	u := currentUser(r)
	host, err := s.settings.RequestOpening(r.Context(), scopeOf(u), settingsActor(u), s.clock.Now(), id, chi.URLParam(r, "code"))
	switch {
	case errors.Is(err, settings.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, settings.ErrDomainOpen):
		s.conflict(w, r, "Ce domaine est déjà ouvert ou demandé", "Une demande d’ouverture est déjà en cours pour ce domaine, ou il est déjà ouvert. Consultez la page du compte pour voir son état.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.wakeMailer()
	s.log.InfoContext(r.Context(), "domain opening requested", slog.Int64("user_id", u.ID), slog.Int64("account_id", id))
	s.flash(r, "La demande d’ouverture du domaine "+host+" est transmise au service des douanes.")
	redirect(w, r, accountPath(id)+"#parametres")
}
