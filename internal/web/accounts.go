package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/internal/validation"
	"github.com/correspondant-entreprise/console/web/templates"
)

// scopeOf returns what the user may see: the perimeter for a correspondant,
// every establishment for the customs and admin roles.
func scopeOf(u *users.User) accounts.Scope {
	if u.Has(users.RoleCorrespondant) {
		return accounts.PerimeterOf(u.ID)
	}
	return accounts.Scope{UserID: u.ID, All: true}
}

// showAccountList shows one page of the accounts in the user's scope.
func (s *Server) showAccountList(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	q := r.URL.Query()

	filter := accounts.ListFilter{Query: q.Get("q"), Page: 1, Now: s.clock.Now()}
	if st, ok := accounts.ParseStatus(q.Get("statut")); ok {
		filter.Status = st
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		filter.Page = n
	}

	list, err := s.accounts.List(r.Context(), scopeOf(u), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	s.render(w, r, http.StatusOK, templates.AccountList(templates.AccountListPage{
		Page:      s.page(r, "Comptes API", "comptes"),
		Accounts:  list.Accounts,
		Status:    string(filter.Status),
		Query:     filter.Query,
		PageNo:    list.Page,
		HasPrev:   list.Page > 1,
		HasNext:   list.HasNext,
		Filtered:  filter.Status != "" || filter.Query != "",
		CanCreate: u.Has(users.RoleCorrespondant),
	}))
}

// showAccount shows one account of the user's scope; any other id is 404.
func (s *Server) showAccount(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderAccount(w, r, http.StatusOK, id, nil, nil)
}

// renderAccount renders the account page with the status code, and with
// the errors and ticked APIs of a rejected form.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, id int64, fieldErrors map[string]string, checked []string) {
	u := currentUser(r)
	a, err := s.accounts.Get(r.Context(), scopeOf(u), id)
	if errors.Is(err, accounts.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	habs, err := s.habs.ForAccount(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The account is in the user's scope, so its whole history is too.
	history, err := s.journal.List(r.Context(), journal.Scope{All: true}, journal.Filter{AccountID: a.ID})
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

	s.render(w, r, status, templates.AccountShow(templates.AccountPage{
		Page:          s.page(r, "Compte API "+a.Identifier, "comptes"),
		Account:       a,
		Habilitations: habs.Live,
		Requests:      habs.Requests,
		Requestable:   habs.Requestable,
		History:       history.Entries,
		HistoryMore:   history.HasNext,
		CanRequest:    u.Has(users.RoleCorrespondant),
		CanRevoke:     u.Has(users.RoleDouane),
		Errors:        fieldErrors,
		Checked:       checked,
		Settings:      apis,
		Now:           now,
		CanEdit:       u.Has(users.RoleCorrespondant),
	}))
}

// pathID reads a path parameter holding a positive decimal id.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	return id, err == nil && id > 0
}

// showAccountCreate shows an empty creation form.
func (s *Server) showAccountCreate(w http.ResponseWriter, r *http.Request) {
	v, err := s.accountForm(r, accounts.NewAccount{}, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.AccountNew(v))
}

// accountForm builds the creation form's view model from the entered
// values. Passwords are never sent back, only which rules they met.
func (s *Server) accountForm(r *http.Request, in accounts.NewAccount, fieldErrors map[string]string) (templates.AccountFormPage, error) {
	choices, err := s.accounts.SIRETChoices(r.Context(), scopeOf(currentUser(r)))
	if err != nil {
		return templates.AccountFormPage{}, err
	}
	return templates.AccountFormPage{
		Page:       s.page(r, "Créer un compte API", "comptes"),
		Identifier: in.Identifier,
		Email:      in.Email,
		SIRET:      in.SIRET,
		Choices:    choices,
		Errors:     fieldErrors,
		// The password is never sent back, so the checklist starts over.
		PasswordChecks:  password.Check("").Items(),
		PasswordCleared: in.Password != "",
	}, nil
}

// createAccount creates an account from the form. The "generate" action
// instead shows the form again with a proposed password, which works
// without JavaScript.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	in := accounts.NewAccount{
		Identifier:           r.PostForm.Get("identifier"),
		Email:                r.PostForm.Get("email"),
		SIRET:                r.PostForm.Get("siret"),
		Password:             r.PostForm.Get("password"),
		PasswordConfirmation: r.PostForm.Get("password_confirmation"),
	}

	if r.PostForm.Get("action") == "generate" {
		s.showGeneratedPassword(w, r, in)
		return
	}

	u := currentUser(r)
	a, err := s.accounts.Create(r.Context(), scopeOf(u), u.ID, s.clock.Now(), in)
	var invalid validation.Errors
	if errors.As(err, &invalid) {
		v, err := s.accountForm(r, in, invalid)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, templates.AccountNew(v))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	s.log.InfoContext(r.Context(), "API account created",
		slog.Int64("user_id", u.ID), slog.Int64("account_id", a.ID), slog.String("siret", a.SIRET))
	s.flash(r, "Le compte API «\u00a0"+a.Identifier+"\u00a0» a été créé. Demandez maintenant ses habilitations aux API de la douane.")
	redirect(w, r, "/comptes")
}

// showGeneratedPassword shows the form again with a proposed password filled
// in both password fields and displayed once.
func (s *Server) showGeneratedPassword(w http.ResponseWriter, r *http.Request, in accounts.NewAccount) {
	generated, err := password.Generate()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	in.Password = ""
	v, err := s.accountForm(r, in, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.GeneratedPassword = generated
	v.PasswordChecks = password.Check(generated).Items()
	s.render(w, r, http.StatusOK, templates.AccountNew(v))
}
