// Package templates holds the console's templ components and the typed view
// model of each page. Components only render what the view model holds; they
// never query.
package templates

import (
	"time"

	"github.com/correspondant-entreprise/console/internal/accounts"
	"github.com/correspondant-entreprise/console/internal/password"
)

// Page is what the layout needs on every page.
type Page struct {
	Title       string
	User        *CurrentUser // nil when nobody is signed in
	Flash       string       // a one-time success message
	DemoData    bool         // the database holds the demo data set
	EmulatedNow *time.Time   // the emulated business time, nil while it follows real time
	Nav         string       // the active navigation entry: "comptes"
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
}

// AccountPage is the detail of one API account.
type AccountPage struct {
	Page
	Account accounts.Account
}

// ErrorPage is a full-page error.
type ErrorPage struct {
	Page
	Status  int
	Heading string
	Message string
}
