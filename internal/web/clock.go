package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/correspondant-entreprise/console/internal/clock"
	"github.com/correspondant-entreprise/console/web/templates"
)

func (s *Server) renderClock(w http.ResponseWriter, r *http.Request, status int, custom string, fieldErrors map[string]string) {
	s.render(w, r, status, templates.Clock(templates.ClockPage{
		Page:   s.page(r, "Horloge d’émulation", "horloge"),
		Now:    s.clock.Now(),
		Real:   time.Now().UTC(),
		Offset: s.clock.Offset(),
		Custom: custom,
		Errors: fieldErrors,
	}))
}

// showClock shows the emulation clock and its controls.
func (s *Server) showClock(w http.ResponseWriter, r *http.Request) {
	s.renderClock(w, r, http.StatusOK, "", nil)
}

// moveClock advances the emulation clock by the duration in "advance" (a
// Go duration such as 15m, 1h or 4h30m) or resets it with reset=1, then
// records at once the settings changes that took effect.
func (s *Server) moveClock(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, err)
		return
	}
	u := currentUser(r)

	var message string
	if r.PostForm.Get("reset") == "1" {
		if err := s.clock.Reset(r.Context()); err != nil {
			s.serverError(w, r, err)
			return
		}
		message = "L’horloge suit de nouveau l’heure réelle."
	} else {
		input := strings.TrimSpace(r.PostForm.Get("advance"))
		d, err := time.ParseDuration(input)
		if err != nil || d < time.Second {
			s.renderClock(w, r, http.StatusUnprocessableEntity, input, map[string]string{
				"advance": "Durée non reconnue\u00a0: saisissez un nombre suivi de h (heures) ou m (minutes), par exemple 30m, 2h ou 1h30m.",
			})
			return
		}
		if err := s.clock.Advance(r.Context(), d); errors.Is(err, clock.ErrAdvance) {
			s.renderClock(w, r, http.StatusUnprocessableEntity, input, map[string]string{
				"advance": "L’horloge avance de 30 jours au plus à la fois.",
			})
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		message = "L’horloge est avancée. Il est maintenant " + clock.ParisTime(s.clock.Now()) + " (heure de Paris) dans la console."
	}
	s.log.InfoContext(r.Context(), "emulation clock moved", slog.Int64("user_id", u.ID), slog.Duration("offset", s.clock.Offset()))

	// A change that cannot be recorded stays due for the worker; the
	// clock has moved all the same.
	n, err := s.settings.ApplyDue(r.Context(), s.clock.Now())
	if err != nil {
		s.log.ErrorContext(r.Context(), "record settings taking effect", slog.Any("err", err))
	}
	if n > 0 {
		s.wakeMailer()
		message += " Modifications de paramètres prises en compte\u00a0: " + itoa(n) + "."
	}
	if s.worker != nil {
		s.worker.Wake()
	}
	s.flash(r, message)
	redirect(w, r, "/admin/horloge")
}
