package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/correspondant-entreprise/console/internal/users"
	"github.com/correspondant-entreprise/console/web/static"
)

// routes returns the whole route table, wrapped in the middleware that every
// request goes through.
func (s *Server) routes() http.Handler {
	// Cross-origin POSTs are rejected with 403 before any handler runs.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginRejected))

	r := chi.NewRouter()
	// Sessions load on every route, the error pages included, because the
	// layout shows the signed-in user and the flash message.
	r.Use(s.recoverPanics, s.logRequests, securityHeaders, limitBody, middleware.GetHead,
		s.sessions.LoadAndSave, s.loadUser, cop.Handler)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)

	// Public: liveness and static files.
	r.Get("/healthz", s.showHealth)
	r.Handle("/static/*", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static.Files))))

	// Sign-in and sign-out.
	r.Get("/connexion", s.showSignIn)
	r.Post("/connexion", s.signIn)
	r.Post("/deconnexion", s.signOut)

	r.Group(func(r chi.Router) {
		r.Use(s.requireUser)

		r.Get("/", s.showHome)

		// API accounts: read by every role, within the user's scope.
		r.Get("/comptes", s.showAccountList)
		r.Get("/comptes/{id}", s.showAccount)

		// Journal and e-mails, within the user's scope.
		r.Get("/journal", s.showJournal)
		r.Get("/courriels", s.showOutbox)

		// API accounts and habilitation requests: correspondants only.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRole(users.RoleCorrespondant))
			r.Get("/comptes/nouveau", s.showAccountCreate)
			r.Post("/comptes", s.createAccount)
			r.Get("/comptes/{id}/modifier", s.showAccountEdit)
			r.Post("/comptes/{id}", s.updateAccountEmail)
			r.Post("/comptes/{id}/mot-de-passe", s.changeAccountPassword)
			r.Post("/comptes/{id}/supprimer", s.deleteAccount)
			r.Get("/comptes/{id}/api/{code}/modifier", s.showSettingsEdit)
			r.Post("/comptes/{id}/api/{code}", s.saveSettings)
			r.Post("/comptes/{id}/api/{code}/annulation", s.cancelSettingsChange)
			r.Post("/comptes/{id}/api/{code}/ouverture", s.requestDomainOpening)
			r.Post("/comptes/{id}/demandes", s.submitRequest)
			r.Post("/comptes/{id}/demandes/{request}/annulation", s.cancelRequest)
		})

		// Review of habilitation requests: the customs desk only.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRole(users.RoleDouane))
			r.Get("/douane/demandes", s.showReviewQueue)
			r.Get("/douane/demandes/{request}", s.showReviewRequest)
			r.Post("/douane/demandes/{request}", s.decideRequest)
			r.Post("/douane/habilitations/{habilitation}/retrait", s.revokeHabilitation)
			r.Get("/douane/domaines", s.showDomainQueue)
			r.Post("/douane/domaines/{opening}", s.decideDomainOpening)
		})

		// The emulation clock: the admin role only.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRole(users.RoleAdmin))
			r.Get("/admin/horloge", s.showClock)
			r.Post("/admin/horloge", s.moveClock)
		})
	})
	return r
}
