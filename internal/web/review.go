package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/validation"
	"github.com/correspondant-entreprise/console/web/templates"
)

// showReviewQueue lists the habilitation requests for the customs desk,
// oldest first. Without an explicit state filter it shows the submitted
// ones, which are the desk's work.
func (s *Server) showReviewQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filter := habilitations.QueueFilter{APICode: q.Get("api"), SIRET: q.Get("siret"), Query: q.Get("q"), Page: 1}
	state := q.Get("etat")
	if !q.Has("etat") {
		state = string(habilitations.StateSubmitted)
	}
	if st, ok := habilitations.ParseState(state); ok {
		filter.State = st
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		filter.Page = n
	}

	list, err := s.habs.Queue(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	catalog, err := s.habs.Catalog(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	s.render(w, r, http.StatusOK, templates.ReviewList(templates.ReviewListPage{
		Page:     s.page(r, "Demandes à instruire", "demandes"),
		Requests: list.Requests,
		APIs:     catalog,
		State:    string(filter.State),
		API:      filter.APICode,
		SIRET:    filter.SIRET,
		Query:    filter.Query,
		PageNo:   list.Page,
		HasNext:  list.HasNext,
		Filtered: filter.State != habilitations.StateSubmitted || filter.APICode != "" || filter.SIRET != "" || filter.Query != "",
	}))
}

// showReviewRequest shows one request with its decision form.
func (s *Server) showReviewRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "request")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderReview(w, r, http.StatusOK, id, nil, nil, nil)
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, id int64, decisions, reasons, fieldErrors map[string]string) {
	req, err := s.habs.Get(r.Context(), id)
	if errors.Is(err, habilitations.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	s.render(w, r, status, templates.ReviewShow(templates.ReviewPage{
		Page:      s.page(r, fmt.Sprintf("Demande n°\u00a0%d", id), "demandes"),
		Request:   req,
		Decisions: decisions,
		Reasons:   reasons,
		Errors:    fieldErrors,
	}))
}

// decideRequest records the decision on every API of a request, read from
// the fields decision.CODE ("grant" or "refuse") and reason.CODE.
func (s *Server) decideRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "request")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	req, err := s.habs.Get(r.Context(), id)
	if errors.Is(err, habilitations.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	decisions := map[string]habilitations.Decision{}
	typed := map[string]string{}
	reasons := map[string]string{}
	fieldErrors := validation.Errors{}
	for _, it := range req.Items {
		choice := r.PostForm.Get("decision." + it.APICode)
		reason := r.PostForm.Get("reason." + it.APICode)
		typed[it.APICode], reasons[it.APICode] = choice, reason
		switch choice {
		case "grant":
			decisions[it.APICode] = habilitations.Decision{Grant: true}
		case "refuse":
			decisions[it.APICode] = habilitations.Decision{Reason: reason}
		case "":
		default:
			fieldErrors.Add("decision."+it.APICode, "Choisissez «\u00a0Accorder\u00a0» ou «\u00a0Refuser\u00a0».")
		}
	}

	u := currentUser(r)
	err = fieldErrors.Err()
	if err == nil {
		err = s.habs.Decide(r.Context(), actorOf(u), s.clock.Now(), id, decisions)
	}
	var invalid validation.Errors
	switch {
	case errors.As(err, &invalid):
		s.renderReview(w, r, http.StatusUnprocessableEntity, id, typed, reasons, invalid)
		return
	case errors.Is(err, habilitations.ErrTransition):
		s.conflict(w, r, "Cette demande a déjà été traitée", "Une décision a déjà été enregistrée ou la demande a été annulée par le correspondant. Rechargez la demande pour voir son état.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}

	s.wakeMailer()
	s.log.InfoContext(r.Context(), "habilitation request decided",
		slog.Int64("user_id", u.ID), slog.Int64("request_id", id), slog.Int64("account_id", req.AccountID))
	s.flash(r, fmt.Sprintf("La décision sur la demande n°\u00a0%d est enregistrée et le correspondant en est informé.", id))
	redirect(w, r, "/douane/demandes/"+strconv.FormatInt(id, 10))
}

// revokeHabilitation withdraws a live habilitation for the reason given.
func (s *Server) revokeHabilitation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "habilitation")
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}

	u := currentUser(r)
	accountID, err := s.habs.Revoke(r.Context(), actorOf(u), s.clock.Now(), id, r.PostForm.Get("reason"))
	var invalid validation.Errors
	switch {
	case errors.Is(err, habilitations.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.As(err, &invalid):
		s.renderAccount(w, r, http.StatusUnprocessableEntity, accountID, invalid, nil)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}

	s.wakeMailer()
	s.log.InfoContext(r.Context(), "habilitation revoked",
		slog.Int64("user_id", u.ID), slog.Int64("account_id", accountID), slog.Int64("habilitation_id", id))
	s.flash(r, "L’habilitation est retirée et le correspondant en est informé.")
	redirect(w, r, accountPath(accountID)+"#habilitations")
}
