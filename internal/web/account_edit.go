package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/validation"
	"github.com/correspondant-entreprise/console/web/templates"
)

// msgStaleForm explains a 409: the form was built from an older version.
const msgStaleForm = "Ce compte a été modifié depuis l’affichage du formulaire, par vous dans un autre onglet ou par un autre correspondant. Les valeurs actuelles sont affichées ci-dessous\u00a0: vérifiez-les, puis recommencez votre modification."

// editForm holds the posted values of a change form, shown again after a
// failure.
type editForm struct {
	email        string // the typed e-mail; empty shows the current one
	generated    string // a proposed password, shown once
	acknowledged bool
	errors       map[string]string
	conflict     bool
}

// renderAccountEdit renders the account's change page with the status code.
func (s *Server) renderAccountEdit(w http.ResponseWriter, r *http.Request, status int, id int64, f editForm) {
	a, err := s.accounts.Get(r.Context(), scopeOf(currentUser(r)), id)
	if errors.Is(err, accounts.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	v := templates.AccountEditPage{
		Page:              s.page(r, "Gérer le compte API "+a.Identifier, "comptes"),
		Account:           a,
		Email:             a.Email,
		Errors:            f.errors,
		PasswordChecks:    password.Check(f.generated).Items(),
		GeneratedPassword: f.generated,
		Acknowledged:      f.acknowledged,
	}
	// After a conflict the form shows the current values, never the
	// stale entry.
	if f.email != "" && !f.conflict {
		v.Email = f.email
	}
	if f.conflict {
		v.Conflict = msgStaleForm
	}
	s.render(w, r, status, templates.AccountEdit(v))
}

// showAccountEdit shows the forms that change the e-mail and the password
// and delete the account.
func (s *Server) showAccountEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderAccountEdit(w, r, http.StatusOK, id, editForm{})
}

// parseChangeForm reads the account id and the version of a change form.
// A form without a valid version was not built by the console: 400.
func (s *Server) parseChangeForm(w http.ResponseWriter, r *http.Request) (id, version int64, ok bool) {
	id, ok = pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return 0, 0, false
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return 0, 0, false
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version < 1 {
		s.badRequest(w, r, fmt.Errorf("invalid version %q", r.PostForm.Get("version")))
		return 0, 0, false
	}
	return id, version, true
}

// changeFailed renders the outcome of a change that failed, and reports
// whether it did.
func (s *Server) changeFailed(w http.ResponseWriter, r *http.Request, id int64, err error, f editForm) bool {
	var invalid validation.Errors
	switch {
	case err == nil:
		return false
	case errors.Is(err, accounts.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, accounts.ErrConflict):
		s.log.InfoContext(r.Context(), "stale account form", slog.Int64("account_id", id), slog.String("path", r.URL.Path))
		f.conflict = true
		f.errors = nil
		f.generated = ""
		s.renderAccountEdit(w, r, http.StatusConflict, id, f)
	case errors.As(err, &invalid):
		f.errors = invalid
		s.renderAccountEdit(w, r, http.StatusUnprocessableEntity, id, f)
	default:
		s.serverError(w, r, err)
	}
	return true
}

// updateAccountEmail replaces the account's e-mail.
func (s *Server) updateAccountEmail(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.parseChangeForm(w, r)
	if !ok {
		return
	}
	typed := r.PostForm.Get("email")

	u := currentUser(r)
	_, err := s.accounts.UpdateEmail(r.Context(), scopeOf(u), u.ID, s.clock.Now(), id, version, typed)
	if s.changeFailed(w, r, id, err, editForm{email: typed}) {
		return
	}

	s.wakeMailer()
	s.log.InfoContext(r.Context(), "account e-mail changed", slog.Int64("user_id", u.ID), slog.Int64("account_id", id))
	s.flash(r, "L’adresse électronique du compte a été modifiée. L’ancienne et la nouvelle adresse en sont informées.")
	redirect(w, r, accountPath(id))
}

// changeAccountPassword replaces the account's password, or proposes a
// generated one with the "generate" action.
func (s *Server) changeAccountPassword(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.parseChangeForm(w, r)
	if !ok {
		return
	}
	acknowledged := r.PostForm.Get("acknowledge") == "on"

	if r.PostForm.Get("action") == "generate" {
		// Proposing a password changes nothing, but the page it returns
		// carries the current version: a stale form must get its 409 here,
		// or the next submission would overwrite the other change.
		a, err := s.accounts.Get(r.Context(), scopeOf(currentUser(r)), id)
		if s.changeFailed(w, r, id, err, editForm{}) {
			return
		}
		if a.Version != version {
			s.changeFailed(w, r, id, accounts.ErrConflict, editForm{acknowledged: acknowledged})
			return
		}
		generated, err := password.Generate()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.renderAccountEdit(w, r, http.StatusOK, id, editForm{generated: generated, acknowledged: acknowledged})
		return
	}

	u := currentUser(r)
	in := accounts.PasswordChange{
		Password:     r.PostForm.Get("password"),
		Confirmation: r.PostForm.Get("password_confirmation"),
		Acknowledged: acknowledged,
	}
	_, err := s.accounts.ChangePassword(r.Context(), scopeOf(u), u.ID, s.clock.Now(), id, version, in)
	if s.changeFailed(w, r, id, err, editForm{acknowledged: acknowledged}) {
		return
	}

	s.wakeMailer()
	s.log.InfoContext(r.Context(), "account password changed", slog.Int64("user_id", u.ID), slog.Int64("account_id", id))
	s.flash(r, "Le mot de passe du compte a été modifié\u00a0; il est effectif dès maintenant.")
	redirect(w, r, accountPath(id))
}

// deleteAccount deletes the account once its identifier is typed as
// confirmation, closing its habilitations, requests and pending settings.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.parseChangeForm(w, r)
	if !ok {
		return
	}

	u := currentUser(r)
	a, err := s.accounts.Delete(r.Context(), scopeOf(u), u.ID, s.clock.Now(), id, version,
		r.PostForm.Get("confirmation"), habilitations.CloseForDeletedAccount)
	if s.changeFailed(w, r, id, err, editForm{}) {
		return
	}

	s.wakeMailer()
	s.log.InfoContext(r.Context(), "account deleted",
		slog.Int64("user_id", u.ID), slog.Int64("account_id", id), slog.String("siret", a.SIRET))
	s.flash(r, "Le compte API «\u00a0"+a.Identifier+"\u00a0» est supprimé. Son établissement peut recevoir un nouveau compte.")
	redirect(w, r, "/comptes")
}
