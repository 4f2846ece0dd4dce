package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/correspondant-entreprise/console/internal/settings"
	"github.com/correspondant-entreprise/console/internal/validation"
	"github.com/correspondant-entreprise/console/web/templates"
)

// maxOpenings bounds the domain-opening queue page.
const maxOpenings = 200

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) renderDomainQueue(w http.ResponseWriter, r *http.Request, status int, state string, fieldErrors map[string]string, choices map[int64]string) {
	list, err := s.settings.Openings(r.Context(), state, maxOpenings)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, templates.DomainQueue(templates.DomainQueuePage{
		Page:     s.page(r, "Ouvertures de domaines", "domaines"),
		Openings: list,
		State:    state,
		Errors:   fieldErrors,
		Choices:  choices,
	}))
}

// showDomainQueue lists the domain-opening requests, oldest first; the
// requested ones unless another state is chosen.
func (s *Server) showDomainQueue(w http.ResponseWriter, r *http.Request) {
	state := settings.DomainRequested
	if q := r.URL.Query(); q.Has("etat") {
		switch st := q.Get("etat"); st {
		case "", settings.DomainRequested, settings.DomainOpened, settings.DomainRefused:
			state = st
		}
	}
	s.renderDomainQueue(w, r, http.StatusOK, state, nil, nil)
}

// decideDomainOpening opens (decision=open) or refuses (decision=refuse,
// with reason) a requested domain.
func (s *Server) decideDomainOpening(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "opening")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	decision := r.PostForm.Get("decision")
	if decision != "open" && decision != "refuse" {
		s.renderDomainQueue(w, r, http.StatusUnprocessableEntity, settings.DomainRequested,
			map[string]string{"reason." + itoa(int(id)): "Choisissez d’ouvrir ou de refuser le domaine."}, nil)
		return
	}

	u := currentUser(r)
	err := s.settings.DecideOpening(r.Context(), settingsActor(u), s.clock.Now(), id, decision == "open", r.PostForm.Get("reason"))
	var invalid validation.Errors
	switch {
	case errors.Is(err, settings.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, settings.ErrDomainOpen):
		s.conflict(w, r, "Cette demande a déjà été traitée", "Une décision a déjà été enregistrée pour cette ouverture de domaine.")
		return
	case errors.As(err, &invalid):
		s.renderDomainQueue(w, r, http.StatusUnprocessableEntity, settings.DomainRequested,
			map[string]string{"reason." + itoa(int(id)): invalid["reason"]}, map[int64]string{id: decision})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.wakeMailer()
	s.log.InfoContext(r.Context(), "domain opening decided", slog.Int64("user_id", u.ID), slog.Int64("opening_id", id))
	s.flash(r, "La décision est enregistrée et le correspondant en est informé.")
	redirect(w, r, "/douane/domaines")
}
