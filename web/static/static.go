// Package static embeds the console's stylesheet, scripts and pictograms.
package static

import "embed"

// Files holds the static files, served under /static/.
//
//go:embed *.css *.js *.svg
var Files embed.FS
