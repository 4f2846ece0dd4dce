package clock

import (
	"fmt"
	"time"
	_ "time/tzdata" // embeds the zone database so Paris times are right on any host
)

// paris is the zone every time is shown in.
var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("clock: load time zone %s: %v", name, err))
	}
	return loc
}

// ParisTime formats an instant in Paris time as French readers expect it,
// for example "04/12/2026 à 23:32". Durations are added to UTC instants
// before formatting, so a time across a daylight saving switch shows the
// right wall-clock time.
func ParisTime(t time.Time) string {
	return t.In(paris).Format("02/01/2006 à 15:04")
}
