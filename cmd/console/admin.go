package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/correspondant-entreprise/console/internal/db"
	"github.com/correspondant-entreprise/console/internal/establishments"
	"github.com/correspondant-entreprise/console/internal/password"
	"github.com/correspondant-entreprise/console/internal/users"
)

// listFlag collects a flag given several times.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// addUser creates a console user. The password comes from standard input
// when it is not a terminal; otherwise, or with -generate-password, a
// compliant password is generated and printed once.
func addUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("console user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "`path` of the SQLite database (environment: CONSOLE_DB)")
	login := fs.String("login", "", "sign-in `address` of the user (required)")
	name := fs.String("name", "", "display `name` of the user (required)")
	generate := fs.Bool("generate-password", false, "generate the password and print it once instead of reading it from standard input")
	var roles, sirets listFlag
	fs.Var(&roles, "role", "`role` of the user: correspondant, douane or admin; repeat for several (at least one)")
	fs.Var(&sirets, "siret", "`SIRET` of an establishment in the user's perimeter; repeat for several (record it first with `console establishment add`)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: console user add -login ADDRESS -name NAME -role ROLE [-siret SIRET ...] [flags]\n\n"+
			"Create a console user. The password is read from the first line of standard input when\n"+
			"it is not a terminal; otherwise a password is generated and printed once. Flags:\n")
		fs.PrintDefaults()
	}
	if done, err := parseFlags(fs, args, []envFlag{{"db", "CONSOLE_DB"}}); done || err != nil {
		return err
	}
	if *login == "" || *name == "" || len(roles) == 0 {
		fmt.Fprintln(stderr, "console user add: -login, -name and at least one -role are required")
		fs.Usage()
		return errUsage
	}

	in := users.NewUser{Login: *login, DisplayName: *name, SIRETs: sirets}
	for _, r := range roles {
		role, err := users.ParseRole(r)
		if err != nil {
			return err
		}
		in.Roles = append(in.Roles, role)
	}

	generated := *generate || isTerminal(stdin)
	if generated {
		pw, err := password.Generate()
		if err != nil {
			return err
		}
		in.Password = pw
	} else {
		pw, err := readPassword(stdin)
		if err != nil {
			return err
		}
		in.Password = pw
	}

	pool, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer pool.Close()

	u, err := users.NewStore(pool).Create(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "User %s created (id %d, roles %v).\n", u.Login, u.ID, u.Roles)
	if generated {
		fmt.Fprintf(stdout, "Password, shown only now: %s\n", in.Password)
	}
	return nil
}

// readPassword returns the first line of r without its line ending. Other
// spaces are kept: a password is never trimmed.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", errors.New("no password on standard input: pipe one in, or use -generate-password")
	}
	return line, nil
}

// isTerminal reports whether r is an interactive terminal, where a typed
// password would be echoed.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// addEstablishment records an establishment and its company.
func addEstablishment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("console establishment add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "`path` of the SQLite database (environment: CONSOLE_DB)")
	number := fs.String("siret", "", "`SIRET` of the establishment, 14 digits; spaces, dots and dashes are ignored (required)")
	company := fs.String("company", "", "`name` of the company, recorded for the SIREN (required)")
	label := fs.String("label", "", "`name` of the site, such as \"Entrepôt, Roissy\" (optional)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: console establishment add -siret SIRET -company NAME [-label NAME] [flags]\n\nRecord an establishment and its company. Flags:\n")
		fs.PrintDefaults()
	}
	if done, err := parseFlags(fs, args, []envFlag{{"db", "CONSOLE_DB"}}); done || err != nil {
		return err
	}
	if *number == "" || *company == "" {
		fmt.Fprintln(stderr, "console establishment add: -siret and -company are required")
		fs.Usage()
		return errUsage
	}

	pool, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer pool.Close()

	e, err := establishments.NewStore(pool).Add(ctx, *company, *number, *label)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Establishment %s of %s (SIREN %s) recorded.\n", e.SIRET, e.CompanyName, e.SIREN)
	return nil
}

// unlockUser lifts the sign-in lockout of a login.
func unlockUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("console user unlock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "`path` of the SQLite database (environment: CONSOLE_DB)")
	login := fs.String("login", "", "sign-in `address` to unlock (required)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: console user unlock -login ADDRESS [flags]\n\n"+
			"Clear the sign-in failures and the lockout of a login. Flags:\n")
		fs.PrintDefaults()
	}
	if done, err := parseFlags(fs, args, []envFlag{{"db", "CONSOLE_DB"}}); done || err != nil {
		return err
	}
	if *login == "" {
		fmt.Fprintln(stderr, "console user unlock: -login is required")
		fs.Usage()
		return errUsage
	}

	pool, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer pool.Close()

	cleared, err := users.NewStore(pool).Unlock(ctx, *login)
	if err != nil {
		return err
	}
	if cleared {
		fmt.Fprintf(stdout, "Sign-in failures of %s cleared.\n", *login)
	} else {
		fmt.Fprintf(stdout, "%s had no sign-in failure to clear.\n", *login)
	}
	return nil
}

// addPerimeter adds establishments to the perimeter of an existing user.
func addPerimeter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("console perimeter add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "`path` of the SQLite database (environment: CONSOLE_DB)")
	login := fs.String("login", "", "sign-in `address` of the user (required)")
	var sirets listFlag
	fs.Var(&sirets, "siret", "`SIRET` to add; repeat for several (at least one; record it first with `console establishment add`)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: console perimeter add -login ADDRESS -siret SIRET [-siret SIRET ...] [flags]\n\n"+
			"Add establishments to the perimeter of an existing user. Flags:\n")
		fs.PrintDefaults()
	}
	if done, err := parseFlags(fs, args, []envFlag{{"db", "CONSOLE_DB"}}); done || err != nil {
		return err
	}
	if *login == "" || len(sirets) == 0 {
		fmt.Fprintln(stderr, "console perimeter add: -login and at least one -siret are required")
		fs.Usage()
		return errUsage
	}

	pool, err := db.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer pool.Close()

	if err := users.NewStore(pool).AddToPerimeter(ctx, *login, sirets); err != nil {
		if errors.Is(err, users.ErrNotFound) {
			return fmt.Errorf("no user has the login %s", *login)
		}
		return err
	}
	fmt.Fprintf(stdout, "Perimeter of %s updated.\n", *login)
	return nil
}
