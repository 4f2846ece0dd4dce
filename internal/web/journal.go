package web

import (
	"net/http"
	"strconv"

	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/web/templates"
)

// journalScope returns the journal entries a user may read: those of the
// perimeter for a correspondant, every entry for customs and admin.
func journalScope(u *users.User) journal.Scope {
	scope := scopeOf(u)
	return journal.Scope{UserID: scope.UserID, All: scope.All}
}

func pageParam(r *http.Request) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		return n
	}
	return 1
}

// showJournal lists the journal entries of the user's scope, newest first.
func (s *Server) showJournal(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filter := journal.Filter{Action: q.Get("action"), SIRET: q.Get("siret"), Query: q.Get("q"), Page: pageParam(r)}
	if id, err := strconv.ParseInt(q.Get("compte"), 10, 64); err == nil && id > 0 {
		filter.AccountID = id
	}

	list, err := s.journal.List(r.Context(), journalScope(currentUser(r)), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	actions, err := s.journal.Actions(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	s.render(w, r, http.StatusOK, templates.Journal(templates.JournalPage{
		Page:      s.page(r, "Journal", "journal"),
		Entries:   list.Entries,
		Actions:   actions,
		Action:    filter.Action,
		SIRET:     filter.SIRET,
		Query:     filter.Query,
		AccountID: filter.AccountID,
		PageNo:    list.Page,
		HasNext:   list.HasNext,
		Filtered:  filter.Action != "" || filter.SIRET != "" || filter.Query != "" || filter.AccountID != 0,
	}))
}

// showOutbox lists the e-mails of the user's scope, newest first.
func (s *Server) showOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filter := outbox.Filter{Query: q.Get("q"), Page: pageParam(r)}
	if st := q.Get("statut"); st == outbox.StatusSent || st == outbox.StatusPending {
		filter.Status = st
	}

	scope := scopeOf(currentUser(r))
	list, err := s.outbox.List(r.Context(), outbox.Scope{UserID: scope.UserID, All: scope.All}, filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	s.render(w, r, http.StatusOK, templates.Outbox(templates.OutboxPage{
		Page:           s.page(r, "Courriels", "courriels"),
		Messages:       list.Messages,
		SMTPConfigured: s.mailer != nil,
		ShowSMTPHelp:   currentUser(r).Has(users.RoleAdmin),
		Status:         filter.Status,
		Query:          filter.Query,
		PageNo:         list.Page,
		HasNext:        list.HasNext,
		Filtered:       filter.Status != "" || filter.Query != "",
	}))
}
