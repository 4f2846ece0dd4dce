package web

import (
	"log/slog"
	"net/http"

	"github.com/a-h/templ"

	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/web/templates"
)

// page returns the layout data of the request: the signed-in user, the
// one-time flash message (consumed here), the demo banner and the emulated
// time.
func (s *Server) page(r *http.Request, title, nav string) templates.Page {
	p := templates.Page{Title: title, Nav: nav, DemoData: s.demoData(r)}
	if s.clock.Offset() != 0 {
		now := s.clock.Now()
		p.EmulatedNow = &now
	}
	if u := currentUser(r); u != nil {
		p.User = &templates.CurrentUser{
			DisplayName:      u.DisplayName,
			Login:            u.Login,
			IsCorrespondant:  u.Has(users.RoleCorrespondant),
			IsDouane:         u.Has(users.RoleDouane),
			IsAdmin:          u.Has(users.RoleAdmin),
			CanCreateAccount: u.Has(users.RoleCorrespondant),
		}
	}
	p.Flash = s.sessions.PopString(r.Context(), sessionFlash)
	return p
}

// demoData reports whether the database holds the demo data set. A failed
// read is logged and shows no banner, rather than failing the page.
func (s *Server) demoData(r *http.Request) bool {
	var value string
	err := s.db.QueryRowContext(r.Context(), `SELECT value FROM meta WHERE key = 'demo_data'`).Scan(&value)
	if err != nil {
		return false
	}
	return value == "1"
}

// render writes a component with the status code. A rendering error after
// the header is sent can only be logged.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data and, once, generated passwords: keep them
	// out of shared and browser caches.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.log.ErrorContext(r.Context(), "render page", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
}

// flash stores a one-time success message shown on the next page.
func (s *Server) flash(r *http.Request, message string) {
	s.sessions.Put(r.Context(), sessionFlash, message)
}

// redirect responds to a successful form with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, url string) {
	http.Redirect(w, r, url, http.StatusSeeOther)
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	s.render(w, r, status, templates.Error(templates.ErrorPage{
		Page:    s.page(r, heading, ""),
		Status:  status,
		Heading: heading,
		Message: message,
	}))
}

// serverError logs err and responds with 500 without showing its text.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "internal error",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	s.errorPage(w, r, http.StatusInternalServerError, "Erreur interne",
		"Une erreur inattendue s’est produite. Réessayez dans quelques instants\u00a0; si elle persiste, signalez-la à l’administrateur de la console.")
}

// notFound responds with 404, also for objects outside the user's perimeter, so
// their existence does not leak.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "Page introuvable",
		"Cette page n’existe pas ou vous n’y avez pas accès. Vérifiez l’adresse ou revenez à l’accueil.")
}

// badRequest responds with 400 to a request that no form of the console sends.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	s.log.WarnContext(r.Context(), "bad request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	s.errorPage(w, r, http.StatusBadRequest, "Requête invalide",
		"La requête envoyée n’a pas pu être comprise. Rechargez la page et recommencez.")
}

// forbidden responds with 403 to a signed-in user whose role does not allow the
// page.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	var userID int64
	if u := currentUser(r); u != nil {
		userID = u.ID
	}
	s.log.WarnContext(r.Context(), "forbidden",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int64("user_id", userID))
	s.errorPage(w, r, http.StatusForbidden, "Accès refusé",
		"Votre rôle ne permet pas d’accéder à cette page.")
}

// conflict responds with 409 when the object changed since the page was
// built, such as a request already decided.
func (s *Server) conflict(w http.ResponseWriter, r *http.Request, heading, message string) {
	s.log.InfoContext(r.Context(), "conflict",
		slog.String("method", r.Method), slog.String("path", r.URL.Path))
	s.errorPage(w, r, http.StatusConflict, heading, message)
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusMethodNotAllowed, "Méthode non autorisée",
		"Cette adresse n’accepte pas ce type de requête.")
}

// crossOriginRejected responds with 403 to a state-changing request sent from
// another site.
func (s *Server) crossOriginRejected(w http.ResponseWriter, r *http.Request) {
	s.log.WarnContext(r.Context(), "cross-origin request rejected",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("origin", r.Header.Get("Origin")))
	s.errorPage(w, r, http.StatusForbidden, "Requête refusée",
		"Cette requête provient d’un autre site et a été refusée par mesure de sécurité. Recommencez depuis la console.")
}
