package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/internal/validation"
)

// actorOf names the user in the journal.
func actorOf(u *users.User) habilitations.Actor {
	return habilitations.Actor{ID: u.ID, Name: u.DisplayName}
}

func accountPath(id int64) string {
	return "/comptes/" + strconv.FormatInt(id, 10)
}

// submitRequest records a habilitation request for the APIs ticked in the
// form (field "api", repeated).
func (s *Server) submitRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	codes := r.PostForm["api"]

	u := currentUser(r)
	requestID, err := s.habs.Submit(r.Context(), scopeOf(u), actorOf(u), s.clock.Now(), id, codes)
	var invalid validation.Errors
	switch {
	case errors.Is(err, accounts.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.As(err, &invalid):
		s.renderAccount(w, r, http.StatusUnprocessableEntity, id, invalid, codes)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}

	s.wakeMailer()
	s.log.InfoContext(r.Context(), "habilitation request submitted",
		slog.Int64("user_id", u.ID), slog.Int64("account_id", id), slog.Int64("request_id", requestID))
	s.flash(r, fmt.Sprintf("Votre demande d’habilitation n°\u00a0%d a été transmise au service des douanes. Vous serez informé par courriel de sa décision.", requestID))
	redirect(w, r, accountPath(id)+"#demandes")
}

// cancelRequest withdraws a request that customs has not decided yet.
func (s *Server) cancelRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	requestID, okRequest := pathID(r, "request")
	if !ok || !okRequest {
		s.notFound(w, r)
		return
	}

	u := currentUser(r)
	err := s.habs.Cancel(r.Context(), scopeOf(u), actorOf(u), s.clock.Now(), id, requestID)
	switch {
	case errors.Is(err, habilitations.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, habilitations.ErrTransition):
		s.conflict(w, r, "Cette demande n’est plus en cours d’instruction", "Le service des douanes a déjà statué sur cette demande ou elle a déjà été annulée. Consultez la page du compte pour voir son état.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}

	s.log.InfoContext(r.Context(), "habilitation request cancelled",
		slog.Int64("user_id", u.ID), slog.Int64("account_id", id), slog.Int64("request_id", requestID))
	s.flash(r, fmt.Sprintf("La demande d’habilitation n°\u00a0%d a été annulée.", requestID))
	redirect(w, r, accountPath(id)+"#demandes")
}
