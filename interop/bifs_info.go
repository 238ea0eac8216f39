package interop

import (
	"context"
	"runtime"
	"strconv"

	"github.com/erlgo/erlgo/etf"
)

// OTPRelease is the release a Go node answers to system_info(otp_release):
// the OTP whose distribution protocol and BIF answers erlgo follows.
const OTPRelease = "25"

// ertsVersion is system_info(version): the ERTS of OTPRelease.
const ertsVersion = "13.2"

// processLimit is system_info(process_limit): a Go node has no fixed
// table, so it answers BEAM's maximum (+P 134217727).
const processLimit = 134217727

// systemInfo answers system_info/1 for the items BEAM tools ask.
func (b *bifs) systemInfo(_ context.Context, args etf.List) (etf.Term, error) {
	item, _ := args[0].(etf.Atom)
	procs := runtime.GOMAXPROCS(0)
	switch item {
	case "otp_release":
		return etf.Charlist(OTPRelease), nil
	case "version":
		return etf.Charlist(ertsVersion), nil
	case "system_version":
		return etf.Charlist("Erlang/OTP " + OTPRelease + " [erts-" + ertsVersion + "] [erlgo " +
			runtime.Version() + "] [" + runtime.GOARCH + "] [smp:" + strconv.Itoa(procs) + ":" + strconv.Itoa(procs) + "]\n"), nil
	case "system_architecture":
		return etf.Charlist(runtime.GOARCH + "-" + runtime.GOOS), nil
	case "process_count":
		return b.n.ProcessCount(), nil
	case "process_limit":
		return processLimit, nil
	case "port_count", "ets_count":
		return 0, nil
	case "port_limit":
		return 65536, nil
	case "ets_limit":
		return 8192, nil
	case "atom_count":
		return 0, nil
	case "atom_limit":
		return 1048576, nil
	case "schedulers", "schedulers_online", "dirty_cpu_schedulers", "dirty_cpu_schedulers_online":
		return procs, nil
	case "dirty_io_schedulers", "thread_pool_size":
		return 0, nil
	case "logical_processors", "logical_processors_available", "logical_processors_online":
		return runtime.NumCPU(), nil
	case "wordsize":
		return wordSize, nil
	case "machine":
		return etf.Charlist("BEAM"), nil // what tools test for; system_version says erlgo
	case "smp_support", "threads", "kernel_poll":
		return atomTrue, nil
	case "multi_scheduling":
		return etf.Atom("enabled"), nil
	case "build_type", "emu_type":
		return etf.Atom("opt"), nil
	case "emu_flavor":
		return etf.Atom("jit"), nil
	case "creation":
		return int(b.n.Creation()), nil
	case "heap_type":
		return etf.Atom("private"), nil
	case "driver_version":
		return etf.Charlist("3.3"), nil
	case "dist_ctrl":
		out := etf.List{}
		for _, ps := range b.n.ConnStats() {
			out = append(out, etf.Tuple{ps.Node, b.n.Name()})
		}
		return out, nil
	case "start_time":
		return int64(0), nil
	case "time_warp_mode":
		return etf.Atom("no_time_warp"), nil
	case "time_correction":
		return atomTrue, nil
	case "os_monotonic_time_source", "os_system_time_source":
		return etf.List{}, nil
	case "check_io":
		return etf.List{}, nil
	case "allocator":
		return etf.Tuple{etf.Atom("glibc"), etf.List{}, etf.List{}, etf.List{}}, nil
	}
	return nil, errBadarg
}

// registerOthers registers the application, ets and code functions tools
// call first: a Go node has no ets tables and no code server, and says so
// as BEAM would rather than with undef.
func (b *bifs) registerOthers() {
	reg := func(m, f etf.Atom, arity int, fn Func) { b.s.reg.set(MFA{m, f, arity}, fn) }
	empty := func(context.Context, etf.List) (etf.Term, error) { return etf.List{}, nil }
	// Replaced by ServeApplications when the node runs an application
	// controller; until then no application runs.
	reg(atomApplication, "which_applications", 0, empty)
	reg(atomApplication, "which_applications", 1, empty)
	reg(atomApplication, "loaded_applications", 0, empty)
	reg("ets", "all", 0, empty)
	reg("code", "which", 1, func(_ context.Context, args etf.List) (etf.Term, error) {
		if _, ok := args[0].(etf.Atom); !ok {
			return nil, Raise(etf.Atom("function_clause"))
		}
		return etf.Atom("non_existing"), nil
	})
	reg("code", "is_loaded", 1, func(_ context.Context, args etf.List) (etf.Term, error) {
		if _, ok := args[0].(etf.Atom); !ok {
			return nil, Raise(etf.Atom("function_clause"))
		}
		return atomFalse, nil
	})
	reg("code", "all_loaded", 0, empty)
}
