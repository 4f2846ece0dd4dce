package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// Defaults of the flags shared by every subcommand that opens the database.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "./data/console.db"
)

// envFlag binds a flag to an environment variable of the same meaning. The
// flag wins when both are set.
type envFlag struct {
	flag string
	env  string
}

// applyEnv sets, from its environment variable, every bound flag that was
// not given on the command line.
func applyEnv(fs *flag.FlagSet, bindings []envFlag) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	for _, b := range bindings {
		value, ok := os.LookupEnv(b.env)
		if !ok || given[b.flag] {
			continue
		}
		if err := fs.Set(b.flag, value); err != nil {
			if isBoolFlag(fs.Lookup(b.flag)) {
				return fmt.Errorf("environment variable %s=%q: want true or false (or 1 or 0)", b.env, value)
			}
			return fmt.Errorf("environment variable %s=%q: %w", b.env, value, err)
		}
	}
	return nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// parseFlags parses args, then sets the bound flags that args left unset
// from their environment variables. done is true after -help, whose usage
// the flag set has printed. A bad command line returns errUsage, already
// explained on the flag set's output.
func parseFlags(fs *flag.FlagSet, args []string, bindings []envFlag) (done bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, errUsage
	}
	return false, applyEnv(fs, bindings)
}
