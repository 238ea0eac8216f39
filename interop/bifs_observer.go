// Spec: runtime_tools observer_backend (what observer and etop run on the
// node they look at), https://www.erlang.org/doc/man/etop.html

package interop

import (
	"context"
	"runtime"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// observer and etop do not only call BIFs: they call observer_backend on
// the target, by rpc (vsn/0, sys_info/0, the port, socket and table
// lists) and by remote spawn (etop_collect/1 and procs_info/1, which send
// their findings to the collector pid they are given). A Go node answers
// these with the shapes runtime_tools 1.19 (OTP 25) gives.

var atomObserverBackend = etf.Atom("observer_backend")

// runtimeToolsVsn is observer_backend:vsn/0's version: etop and observer
// refuse a target whose runtime_tools is too old.
const runtimeToolsVsn = "1.19"

// procsInfoChunk is how many processes one {procs_info, Pid, Infos}
// message carries, as observer_backend's chunks.
const procsInfoChunk = 10000

func (b *bifs) registerObserverBackend() {
	reg := func(f etf.Atom, arity int, fn Func) { b.s.reg.set(MFA{atomObserverBackend, f, arity}, fn) }
	reg("vsn", 0, func(context.Context, etf.List) (etf.Term, error) {
		return etf.Tuple{atomOK, etf.Charlist(runtimeToolsVsn)}, nil
	})
	reg("sys_info", 0, func(ctx context.Context, args etf.List) (etf.Term, error) { return b.sysInfo(ctx), nil })
	empty := func(context.Context, etf.List) (etf.Term, error) { return etf.List{}, nil }
	reg("get_port_list", 0, empty)
	reg("get_socket_list", 0, empty)
	reg("socket_info", 0, empty)
	reg("get_table_list", 2, empty)
	// A factory fails only for nil: these cannot.
	_ = b.n.RegisterSpawnable(atomObserverBackend, "etop_collect", b.collectorSpawn(b.etopCollect))
	_ = b.n.RegisterSpawnable(atomObserverBackend, "procs_info", b.collectorSpawn(b.procsInfo))
}

// sysInfo answers sys_info/0: the system_info, statistics and memory items
// observer's System tab shows, in observer_backend's order.
func (b *bifs) sysInfo(ctx context.Context) etf.List {
	si := func(item etf.Atom) etf.Term {
		v, err := b.systemInfo(ctx, etf.List{item})
		if err != nil {
			return atomUndefined
		}
		return v
	}
	var in, out uint64
	for _, ps := range b.n.ConnStats() {
		in, out = in+ps.BytesIn, out+ps.BytesOut
	}
	info := etf.List{
		etf.Tuple{etf.Atom("uptime"), time.Since(b.stats.start).Milliseconds()},
		etf.Tuple{etf.Atom("run_queue"), b.runnable()},
		etf.Tuple{etf.Atom("io_input"), in},
		etf.Tuple{etf.Atom("io_output"), out},
	}
	for _, k := range []etf.Atom{"logical_processors", "logical_processors_online", "logical_processors_available",
		"schedulers", "schedulers_online"} {
		info = append(info, etf.Tuple{k, si(k)})
	}
	info = append(info, etf.Tuple{etf.Atom("schedulers_available"), si("schedulers_online")})
	for _, k := range []etf.Atom{"otp_release", "version", "system_architecture", "kernel_poll",
		"smp_support", "threads", "thread_pool_size"} {
		info = append(info, etf.Tuple{k, si(k)})
	}
	info = append(info,
		etf.Tuple{etf.Atom("wordsize_internal"), wordSize},
		etf.Tuple{etf.Atom("wordsize_external"), wordSize},
		etf.Tuple{etf.Atom("alloc_info"), etf.List{}}) // no ERTS allocators to report
	for _, k := range []etf.Atom{"process_count", "atom_limit", "atom_count", "process_limit",
		"process_count", "port_limit", "port_count", "ets_limit", "ets_count"} {
		info = append(info, etf.Tuple{k, si(k)})
	}
	info = append(info, etf.Tuple{etf.Atom("dist_buf_busy_limit"), 1 << 20})
	return append(info, b.memoryAll()...)
}

// collectorSpawn makes the factory of a spawned observer_backend function
// whose only argument is the collector pid: the process sends its answer
// from Init and exits normally (its link, spawn_link from observer, then
// tells the collector it is done).
func (b *bifs) collectorSpawn(send func(p *node.Process, to etf.PID)) node.SpawnFactory {
	return func(args etf.List) (node.Behavior, error) {
		if len(args) != 1 {
			return nil, Raise(etf.Atom("function_clause"))
		}
		to, ok := args[0].(etf.PID)
		if !ok {
			return nil, Raise(etf.Atom("function_clause"))
		}
		return &collectorJob{send: send, to: to}, nil
	}
}

type collectorJob struct {
	send func(p *node.Process, to etf.PID)
	to   etf.PID
}

func (j *collectorJob) Init(p *node.Process) error {
	return p.Send(p.Self(), etf.Atom("run")) // answer from the process's own goroutine, after Init
}

func (j *collectorJob) HandleMessage(p *node.Process, _ etf.Term) error {
	j.send(p, j.to)
	return errStopNormal
}

func (j *collectorJob) Terminate(*node.Process, etf.Term) {}

// etopCollect sends {self(), #etop_info{}} as etop_collect/1 does.
func (b *bifs) etopCollect(p *node.Process, to etf.PID) {
	procs := b.etopProcs(b.n.Processes())
	mem := b.memoryValues()
	memi := etf.List{}
	for _, k := range []etf.Atom{"total", "processes", "ets", "atom", "code", "binary"} {
		memi = append(memi, etf.Tuple{k, mem[k]})
	}
	now := time.Now()
	info := etf.Tuple{etf.Atom("etop_info"),
		etf.Tuple{int(now.Unix() / 1e6), int(now.Unix() % 1e6), now.Nanosecond() / 1000},
		len(procs), atomUndefined, b.schedulerWallTime(), b.runnable(), etf.List{}, memi, procs}
	_ = p.Send(to, etf.Tuple{p.Self(), info})
}

// schedulerWallTime is statistics(scheduler_wall_time)'s [{Id, Active,
// Total}], the runtime etop computes its cpu load from: the OS process's
// CPU time shared out over GOMAXPROCS schedulers, against the wall time
// since the services started. (BEAM answers undefined until the flag is
// on, which etop_collect turns on at its first call.)
func (b *bifs) schedulerWallTime() etf.List {
	procs := runtime.GOMAXPROCS(0)
	active := cpuMillis() * 1e6 / int64(procs)
	total := int64(time.Since(b.stats.start))
	out := make(etf.List, procs)
	for i := range out {
		out[i] = etf.Tuple{i + 1, active, total}
	}
	return out
}

// procsInfo sends {procs_info, self(), Infos} in chunks, as procs_info/1
// does for observer's process list.
func (b *bifs) procsInfo(p *node.Process, to etf.PID) {
	pids := b.n.Processes()
	for len(pids) > 0 {
		k := min(len(pids), procsInfoChunk)
		_ = p.Send(to, etf.Tuple{etf.Atom("procs_info"), p.Self(), b.etopProcs(pids[:k])})
		pids = pids[k:]
	}
}

// etopProcs is #etop_proc_info{pid, mem, reds, name, runtime, cf, mq} of
// each live process: name is the registered name, else the
// '$initial_call' of a proc_lib-like process, else its initial call.
func (b *bifs) etopProcs(pids []etf.PID) etf.List {
	out := make(etf.List, 0, len(pids))
	for _, pid := range pids {
		pi, ok := b.n.ProcessInfo(pid, node.InfoRegisteredName, node.InfoMemory, node.InfoReductions,
			node.InfoCurrentFunction, node.InfoInitialCall, node.InfoDictionary, node.InfoMessageQueueLen)
		if !ok {
			continue
		}
		var name etf.Term = pi.InitialCall.Term()
		if pi.RegisteredName != "" {
			name = pi.RegisteredName
		} else {
			for _, e := range pi.Dictionary {
				if e.Key == etf.Atom("$initial_call") {
					name = e.Value
				}
			}
		}
		out = append(out, etf.Tuple{etf.Atom("etop_proc_info"), pid, pi.Memory, pi.Reductions, name, 0,
			pi.CurrentFunction.Term(), pi.MessageQueueLen})
	}
	return out
}
