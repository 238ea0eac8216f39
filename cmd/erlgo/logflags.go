package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// logFlags are -v, -log-level and -log-format.
type logFlags struct {
	verbose bool
	level   string
	format  string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.verbose, "v", false, "debug logging (same as -log-level debug)")
	fs.StringVar(&l.level, "log-level", "", "log level: debug, info, warn or error (default: the command's)")
	fs.StringVar(&l.format, "log-format", "text", "log format on stderr: text or json")
}

// logger returns a logger writing to w at the level the flags give, else
// at def. The library logs what a user did not ask for at Debug, so Info
// shows the command's own lines and Warn real problems.
func (l *logFlags) logger(w io.Writer, def slog.Level) (*slog.Logger, error) {
	level := def
	if l.level != "" {
		if err := level.UnmarshalText([]byte(l.level)); err != nil {
			return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", l.level)
		}
	}
	if l.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(l.format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", l.format)
}
