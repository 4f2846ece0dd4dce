// Command console runs the Correspondant Entreprise console, an emulation of
// the customs portal space in which a company's correspondant manages its
// API accounts.
//
// Run "console help" for the list of commands, and a command with -help
// for its flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(logger)

	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, logger); err != nil {
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		// Plain text, not a log line: one-shot commands report here too.
		fmt.Fprintf(os.Stderr, "console: %v\n", err)
		os.Exit(1)
	}
}

// errUsage reports a command line that could not be parsed; the flag
// package has already printed why.
var errUsage = errors.New("invalid command line")

// run dispatches to the subcommand named by args.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, logger *slog.Logger) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return serve(ctx, args, stderr, logger)
	}

	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr, logger)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}

	sub := ""
	if len(args) > 1 {
		sub = args[1]
	}
	switch args[0] + " " + sub {
	case "user add":
		return addUser(ctx, args[2:], stdin, stdout, stderr)
	case "user unlock":
		return unlockUser(ctx, args[2:], stdout, stderr)
	case "perimeter add":
		return addPerimeter(ctx, args[2:], stdout, stderr)
	case "establishment add":
		return addEstablishment(ctx, args[2:], stdout, stderr)
	}

	switch args[0] {
	case "user", "perimeter", "establishment":
		if sub == "" || sub == "-h" || sub == "-help" || sub == "--help" {
			fmt.Fprint(stdout, usage)
			return nil
		}
		fmt.Fprintf(stderr, "console: unknown command %q\n\n%s", args[0]+" "+sub, usage)
	default:
		fmt.Fprintf(stderr, "console: unknown command %q\n\n%s", args[0], usage)
	}
	return errUsage
}

const usage = `Usage:
  console [serve] [flags]            serve the console (the default command)
  console establishment add [flags]  record an establishment and its company
  console user add [flags]           create a console user
  console perimeter add [flags]      add establishments to a user's perimeter
  console user unlock [flags]        lift the sign-in lockout of a login

Run a command with -help to list its flags and their defaults.
`
