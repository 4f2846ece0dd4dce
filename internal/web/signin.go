package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/web/templates"
)

// msgBadCredentials is the one message for an unknown login and a wrong
// password, so the page does not reveal which logins exist.
const msgBadCredentials = "Identifiant ou mot de passe incorrect."

func (s *Server) signInPage(r *http.Request, login, message string) (templates.SignInPage, error) {
	count, err := s.users.Count(r.Context())
	if err != nil {
		return templates.SignInPage{}, err
	}
	p := s.page(r, "Connexion", "")
	return templates.SignInPage{
		Page:        p,
		Login:       login,
		Error:       message,
		NeedsSetup:  count == 0,
		ShowDemoIDs: p.DemoData,
	}, nil
}

// showSignIn shows the sign-in form, or sends a signed-in user home.
func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		redirect(w, r, "/")
		return
	}
	v, err := s.signInPage(r, "", "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.SignIn(v))
}

// signIn checks the credentials. A success renews the session token, so a
// token planted before sign-in is worthless, and stores the user id.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	login := r.PostForm.Get("login")
	pw := r.PostForm.Get("password")

	u, result, err := s.users.Authenticate(r.Context(), login, pw)
	var locked *users.LockedError
	switch {
	case errors.As(err, &locked):
		s.log.WarnContext(r.Context(), "sign-in rejected: login locked",
			slog.String("login", login), slog.Time("locked_until", locked.Until))
		message := fmt.Sprintf("Trop de tentatives de connexion ont échoué. Cet identifiant de connexion est bloqué jusqu’au %s (heure de Paris)\u00a0; réessayez ensuite.",
			templates.ParisTime(locked.Until))
		s.renderSignIn(w, r, http.StatusTooManyRequests, login, message)
		return

	case errors.Is(err, users.ErrInvalidCredentials):
		s.log.WarnContext(r.Context(), "sign-in failed",
			slog.String("login", login), slog.Int("failures", result.Failures),
			slog.Bool("locked", result.NowLocked), slog.Any("err", err))
		message := msgBadCredentials
		if result.NowLocked {
			message = fmt.Sprintf("Identifiant ou mot de passe incorrect. Après %d échecs consécutifs, cet identifiant de connexion est désormais bloqué pendant %d minutes.",
				users.MaxFailures, int(users.LockoutDuration.Minutes()))
		}
		s.renderSignIn(w, r, http.StatusUnprocessableEntity, login, message)
		return

	case err != nil:
		s.serverError(w, r, err)
		return
	}

	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionUserID, u.ID)
	s.log.InfoContext(r.Context(), "signed in", slog.Int64("user_id", u.ID))
	redirect(w, r, "/")
}

func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, login, message string) {
	v, err := s.signInPage(r, login, message)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, templates.SignIn(v))
}

// signOut ends the session: its data is dropped and its token replaced.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	var userID int64
	if u := currentUser(r); u != nil {
		userID = u.ID
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if userID != 0 {
		s.log.InfoContext(r.Context(), "signed out", slog.Int64("user_id", userID))
	}
	s.sessions.Put(r.Context(), sessionFlash, "Vous êtes déconnecté.")
	redirect(w, r, "/connexion")
}

// showHome sends the user to their main page: the review queue for the
// customs desk, the account list for everyone else.
func (s *Server) showHome(w http.ResponseWriter, r *http.Request) {
	if u := currentUser(r); u.Has(users.RoleDouane) && !u.Has(users.RoleCorrespondant) {
		redirect(w, r, "/douane/demandes")
		return
	}
	redirect(w, r, "/comptes")
}

// showHealth responds with 200 while the database responds, 503 otherwise.
func (s *Server) showHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.ping(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "health check failed", slog.Any("err", err))
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unavailable")
		return
	}
	fmt.Fprintln(w, "ok")
}
