// Package templates holds the console's templ components and the typed view
// model of each page. Components only render what the view model holds; they
// never query.
package templates

import (
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/habilitations"
	"github.com/correspondant-entreprise/console/internal/journal"
	"github.com/correspondant-entreprise/console/internal/outbox"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/settings"
)

// Page holds the data the layout shows on every page.
type Page struct {
	Title       string
	User        *CurrentUser // nil when no user is signed in
	Flash       string       // a one-time success message
	DemoData    bool         // the database holds the demo data set
	EmulatedNow *time.Time   // the emulated business time, nil while it follows real time
	Nav         string       // the active navigation entry: "comptes", "demandes", "journal" or "courriels"
}

// CurrentUser is the signed-in user as the layout shows it.
type CurrentUser struct {
	DisplayName      string
	Login            string
	IsCorrespondant  bool
	IsDouane         bool
	IsAdmin          bool
	CanCreateAccount bool
}

// SignInPage is the sign-in form.
type SignInPage struct {
	Page
	Login       string
	Error       string // the single message for any failed attempt
	NeedsSetup  bool   // no user exists yet: tell the operator how to create one
	ShowDemoIDs bool   // list the demo logins, on a demo database only
}

// AccountListPage is one page of the API account list.
type AccountListPage struct {
	Page
	Accounts  []accounts.Account
	Status    string // the status filter: "", "rouge", "jaune" or "vert"
	Query     string
	PageNo    int
	HasPrev   bool
	HasNext   bool
	Filtered  bool // a filter is set, so an empty list is not an empty perimeter
	CanCreate bool
}

// AccountFormPage is the API account creation form.
type AccountFormPage struct {
	Page
	Identifier        string
	Email             string
	SIRET             string
	Choices           []accounts.SIRETChoice
	Errors            map[string]string // per field name
	PasswordChecks    []password.Item
	GeneratedPassword string // a proposed password, shown once; empty otherwise
	PasswordCleared   bool   // a typed password was rejected with the form and is not sent back
}

// AccountPage is the detail of one API account with its habilitations,
// requests and history.
type AccountPage struct {
	Page
	Account       accounts.Account
	Habilitations []habilitations.Habilitation
	Requests      []habilitations.Request // newest first
	Requestable   []habilitations.API     // APIs the account can still request
	History       []journal.Entry         // newest first
	HistoryMore   bool                    // the history has older entries than those shown
	CanRequest    bool                    // the user may request and cancel habilitations
	CanRevoke     bool                    // the user may revoke habilitations
	Errors        map[string]string       // per form field: "api", "reason"
	Checked       []string                // API codes ticked in a rejected request form
	Settings      []settings.API          // settings of each habilitated API
	Now           time.Time               // business time, for "in force" and time left
	CanEdit       bool                    // the user may change settings and ask domain openings
}

// SettingsEditPage is the form that changes the settings of one API of an
// account.
type SettingsEditPage struct {
	Page
	Account accounts.Account
	API     settings.API
	Values  map[string]string // typed values of a rejected form, by field key; never a token
	Errors  map[string]string
	// TokenCleared: a token typed in a rejected form is not sent back and
	// must be typed again.
	TokenCleared bool
	Now          time.Time
}

// ClockPage is the emulation clock.
type ClockPage struct {
	Page
	Now    time.Time // business time
	Real   time.Time // real time
	Offset time.Duration
	Custom string // the custom duration of a rejected form
	Errors map[string]string
}

// DomainQueuePage is the customs queue of domain-opening requests.
type DomainQueuePage struct {
	Page
	Openings []settings.Opening
	State    string
	Errors   map[string]string // "reason.ID" for a refusal without reason
	Choices  map[int64]string  // the decision posted for a request, kept after an error
}

// ErrorPage is a full-page error.
type ErrorPage struct {
	Page
	Status  int
	Heading string
	Message string
}

// JournalPage is a page of the journal with its filters.
type JournalPage struct {
	Page
	Entries   []journal.Entry
	Actions   []string // the actions the filter offers
	Action    string
	SIRET     string
	Query     string
	AccountID int64
	PageNo    int
	HasNext   bool
	Filtered  bool
}

// ReviewListPage is a page of the customs queue with its filters.
type ReviewListPage struct {
	Page
	Requests []habilitations.Request
	APIs     []habilitations.API
	State    string
	API      string
	SIRET    string
	Query    string
	PageNo   int
	HasNext  bool
	Filtered bool
}

// ReviewPage is one request under review, with the values of a rejected
// decision form.
type ReviewPage struct {
	Page
	Request   habilitations.Request
	Decisions map[string]string // API code to "grant" or "refuse"
	Reasons   map[string]string // API code to the typed reason
	Errors    map[string]string
}

// OutboxPage is a page of the e-mails written by the console.
type OutboxPage struct {
	Page
	Messages       []outbox.Message
	SMTPConfigured bool
	ShowSMTPHelp   bool // the user runs the console and can configure SMTP
	Status         string
	Query          string
	PageNo         int
	HasNext        bool
	Filtered       bool
}

// AccountEditPage is the page that changes an account's e-mail or
// password, or deletes it. Each form carries Account.Version.
type AccountEditPage struct {
	Page
	Account           accounts.Account
	Email             string            // the value of the e-mail field
	Errors            map[string]string // per field name
	Conflict          string            // explanation shown when the submitted form was stale, above the current values
	PasswordChecks    []password.Item
	GeneratedPassword string // a proposed password, shown once; empty otherwise
	Acknowledged      bool
}
