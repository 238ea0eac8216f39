package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// erlArgs rewrites erl's two-value application parameters, which the
// flag package cannot parse, into erlgo's flags: "-kernel net_ticktime N"
// becomes "-ticktime N". Other kernel parameters are refused by name, so
// a command line copied from erl never loses a setting silently. A "--"
// ends the rewriting, as it ends flag parsing.
func erlArgs(args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...), nil
		}
		if a != "-kernel" && a != "--kernel" {
			out = append(out, a)
			continue
		}
		if i+2 >= len(args) {
			return nil, fmt.Errorf("%s needs a parameter and a value, e.g. -kernel net_ticktime 60", a)
		}
		param, value := args[i+1], args[i+2]
		if param != "net_ticktime" {
			return nil, fmt.Errorf("-kernel %s: erlgo node takes only -kernel net_ticktime", param)
		}
		out = append(out, "-ticktime", value)
		i += 2
	}
	return out, nil
}

// tickTimeValue is -ticktime: whole seconds as erl's net_ticktime, or a
// Go duration ("2s"). Zero means the default.
type tickTimeValue time.Duration

func (t *tickTimeValue) String() string {
	if *t == 0 {
		return ""
	}
	return time.Duration(*t).String()
}

func (t *tickTimeValue) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return fmt.Errorf("net_ticktime %d: want a positive number of seconds", n)
		}
		*t = tickTimeValue(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < time.Second || d%time.Second != 0 {
		return fmt.Errorf("net_ticktime %q: want whole seconds, e.g. 60 or 60s", s)
	}
	*t = tickTimeValue(d)
	return nil
}

// startEPMDValue is erl's -start_epmd true|false, setting -start-epmd.
type startEPMDValue struct{ mode *string }

func (v startEPMDValue) String() string { return "" }

func (v startEPMDValue) Set(s string) error {
	switch s {
	case "true":
		*v.mode = "auto"
	case "false":
		*v.mode = "false"
	default:
		return fmt.Errorf("-start_epmd %q: want true or false", s)
	}
	return nil
}
