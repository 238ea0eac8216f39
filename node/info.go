package node

import (
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/erlgo/erlgo/etf"
)

// Introspection: the Go side of erlang:processes/0 and process_info/2, for
// observers, metrics and the BIFs interop serves to BEAM tools. A snapshot
// takes the process's lock once and copies only the fields asked for, so
// that polling every process once a second stays cheap (see
// BenchmarkProcessInfo100k).

// InfoItem selects a field of ProcessInfo, as an item of
// erlang:process_info/2 does.
type InfoItem uint32

// The items of ProcessInfo. Each fills the ProcessInfo field of the same
// name.
const (
	InfoRegisteredName InfoItem = 1 << iota
	InfoStatus
	InfoMessageQueueLen
	InfoMessages
	InfoLinks
	InfoMonitors
	InfoMonitoredBy
	InfoTrapExit
	InfoGroupLeader
	InfoCurrentFunction
	InfoInitialCall
	InfoMemory
	InfoReductions
	InfoDictionary

	// InfoAll is every item but InfoMessages (copying a mailbox is for
	// who asks for it, as in process_info/1, which leaves messages out).
	InfoAll = (InfoDictionary<<1 - 1) &^ InfoMessages
)

// MaxInfoMessages bounds the Messages of a ProcessInfo: the head of the
// mailbox, so that inspecting a flooded process costs a bounded copy.
const MaxInfoMessages = 100

// MFA names a function {Module, Function, Arity}, as in current_function
// and initial_call.
type MFA struct {
	Module   etf.Atom
	Function etf.Atom
	Arity    int
}

// Term returns the tuple {Module, Function, Arity}.
func (m MFA) Term() etf.Term { return etf.Tuple{m.Module, m.Function, m.Arity} }

// MonitorInfo is one monitor a process holds (process_info's monitors):
// by pid (PID set) or by registered name (Name set, PID zero).
type MonitorInfo struct {
	PID  etf.PID
	Name Name
}

// Term returns {process, Pid} or {process, {Name, Node}}, BEAM's shape.
func (m MonitorInfo) Term() etf.Term {
	if m.Name.Name != "" {
		return etf.Tuple{etf.Atom("process"), m.Name.Term()}
	}
	return etf.Tuple{etf.Atom("process"), m.PID}
}

// ProcessInfo is a snapshot of a local process: the fields of
// erlang:process_info/2. Only the fields of the items asked for are set.
type ProcessInfo struct {
	PID etf.PID
	// RegisteredName is the registered name, "" if none.
	RegisteredName etf.Atom
	// Status is waiting (idle, or blocked in a Call), running (a
	// goroutine is handling its messages) or exiting.
	Status etf.Atom
	// MessageQueueLen counts the ordinary messages not yet taken by the
	// process's goroutine.
	MessageQueueLen int
	// Messages is the head of the mailbox (at most MaxInfoMessages), system
	// messages as their Erlang tuples ({'EXIT', ...}, {'DOWN', ...}).
	Messages []any
	// Links are the linked processes (active links only).
	Links []etf.PID
	// Monitors are the monitors the process holds.
	Monitors []MonitorInfo
	// MonitoredBy are the processes monitoring this one.
	MonitoredBy []etf.PID
	// TrapExit is the trap_exit flag.
	TrapExit bool
	// GroupLeader is the group leader (zero if none was set).
	GroupLeader etf.PID
	// CurrentFunction is where the process is (see Describer); for a plain
	// Behavior {GoType, handle_message, 2}.
	CurrentFunction MFA
	// InitialCall is how the process started (see Describer); for a plain
	// Behavior {GoType, init, 1}.
	InitialCall MFA
	// Memory is an estimate in bytes of what the process holds: its
	// struct, its mailbox segments and its link and monitor tables.
	Memory int
	// Reductions counts the messages and signals the process has taken
	// from its mailbox (erlgo's stand-in for BEAM's reductions).
	Reductions uint64
	// Dictionary is the process dictionary BEAM tools read: the
	// Describer's, else empty.
	Dictionary []DictEntry
}

// DictEntry is one {Key, Value} of a process dictionary.
type DictEntry struct {
	Key, Value etf.Term
}

// Describer is implemented by a Behavior that tells introspection what it
// runs, as proc_lib processes do on BEAM: actors answer {gen_server, loop,
// 7}, {proc_lib, init_p, 5} and the '$initial_call' and '$ancestors' of
// their dictionary. Describe is called from any goroutine while the process
// runs: it must read only what does not change after Init (or guard it).
type Describer interface {
	Describe() Description
}

// Description is what a Describer reports.
type Description struct {
	CurrentFunction MFA
	InitialCall     MFA
	Dictionary      []DictEntry
}

// Processes returns the pids of the live local processes (erlang:processes/0),
// in no particular order. A process spawned or exiting meanwhile may be
// missing or present: ProcessInfo of a listed pid can answer false.
func (n *Node) Processes() []etf.PID {
	out := make([]etf.PID, 0, n.ProcessCount()+16)
	for i := range n.procs.shards {
		s := &n.procs.shards[i]
		s.mu.RLock()
		for _, p := range s.m {
			if p.beh != nil { // not the node's or a Call's anonymous pid
				out = append(out, p.pid)
			}
		}
		s.mu.RUnlock()
	}
	return out
}

// ProcessInfo returns a snapshot of the local process pid with the fields
// of items (InfoAll when none is given). It reports false when pid is not
// a live local process, as process_info answers undefined.
func (n *Node) ProcessInfo(pid etf.PID, items ...InfoItem) (ProcessInfo, bool) {
	p := n.lookup(pid)
	if p == nil || p.beh == nil {
		return ProcessInfo{}, false
	}
	var mask InfoItem
	for _, it := range items {
		mask |= it
	}
	if len(items) == 0 {
		mask = InfoAll
	}
	return p.info(mask)
}

// Info returns a snapshot of the process (see Node.ProcessInfo).
func (p *Process) Info(items ...InfoItem) (ProcessInfo, bool) {
	return p.node.ProcessInfo(p.pid, items...)
}

func (p *Process) info(mask InfoItem) (ProcessInfo, bool) {
	pi := ProcessInfo{PID: p.pid}
	p.mu.Lock()
	if p.state == stateDead {
		p.mu.Unlock()
		return ProcessInfo{}, false
	}
	if mask&InfoRegisteredName != 0 {
		pi.RegisteredName = p.name
	}
	if mask&InfoStatus != 0 {
		pi.Status = p.statusLocked()
	}
	if mask&InfoMessageQueueLen != 0 {
		pi.MessageQueueLen = p.normal.len
	}
	if mask&InfoMessages != 0 {
		pi.Messages = p.messagesLocked(MaxInfoMessages)
	}
	if mask&InfoLinks != 0 {
		pi.Links = p.linksLocked()
	}
	if mask&InfoMonitors != 0 {
		pi.Monitors = p.monitorsLocked()
	}
	if mask&InfoMonitoredBy != 0 {
		pi.MonitoredBy = p.monitoredByLocked()
	}
	if mask&InfoTrapExit != 0 {
		pi.TrapExit = p.trap
	}
	if p.ext != nil && mask&InfoGroupLeader != 0 {
		pi.GroupLeader = p.ext.gl
	}
	if mask&InfoMemory != 0 {
		pi.Memory = p.memoryLocked()
	}
	if mask&InfoReductions != 0 {
		pi.Reductions = p.reductionsLocked()
	}
	p.mu.Unlock()
	if mask&(InfoCurrentFunction|InfoInitialCall|InfoDictionary) != 0 {
		d := describe(p.beh)
		pi.CurrentFunction, pi.InitialCall = d.CurrentFunction, d.InitialCall
		if mask&InfoDictionary != 0 {
			pi.Dictionary = d.Dictionary
		}
	}
	return pi, true
}

func (p *Process) statusLocked() etf.Atom {
	switch {
	case p.urgentN.Load() != 0:
		return "exiting"
	case p.state == stateIdle, p.wake != nil, p.call != nil: // wake: lingering
		return "waiting" // in receive, as a BEAM process blocked in gen:call
	}
	return "running"
}

// messagesLocked copies the head of the mailbox, at most max items.
func (p *Process) messagesLocked(max int) []any {
	out := make([]any, 0, min(p.normal.len, max))
	for seg := p.normal.head; seg != nil && len(out) < max; seg = seg.next {
		for _, m := range seg.items[:seg.n] {
			if len(out) == max {
				break
			}
			switch s := m.(type) {
			case *exitSignal:
				m = etf.Tuple{etf.Atom("EXIT"), s.from, s.reason}
			case *downSignal:
				m = etf.Tuple{etf.Atom("DOWN"), s.ref, etf.Atom("process"), s.object, s.reason}
			}
			out = append(out, m)
		}
	}
	return out
}

func (p *Process) linksLocked() []etf.PID {
	out := make([]etf.PID, 0, len(p.links))
	for pid, st := range p.links {
		if !st.unlinking() {
			out = append(out, pid)
		}
	}
	return out
}

func (p *Process) monitorsLocked() []MonitorInfo {
	out := make([]MonitorInfo, 0, len(p.monitors))
	for _, t := range p.monitors {
		if t.name != "" {
			out = append(out, MonitorInfo{Name: Name{Name: t.name, Node: t.node}})
		} else {
			out = append(out, MonitorInfo{PID: t.pid})
		}
	}
	return out
}

func (p *Process) monitoredByLocked() []etf.PID {
	out := make([]etf.PID, 0, len(p.watchers))
	for _, w := range p.watchers {
		if !slices.Contains(out, w.pid) {
			out = append(out, w.pid)
		}
	}
	return out
}

// Sizes used by the memory estimate: a map entry costs its key and value
// plus about a word of bucket overhead.
const (
	procBytes    = 192 // the Process struct's allocation size class
	extBytes     = 128
	segmentBytes = segSize*16 + 16
	linkBytes    = 40
	monitorBytes = 96
)

func (p *Process) memoryLocked() int {
	m := procBytes
	if p.ext != nil {
		m += extBytes
	}
	m += (p.normal.len + segSize - 1) / segSize * segmentBytes
	m += len(p.links)*linkBytes + (len(p.watchers)+len(p.monitors))*monitorBytes
	return m
}

// reductionsLocked is the 64-bit count of taken messages: the low word
// lives in Process (in what was padding), the carry in procExt.
func (p *Process) reductionsLocked() uint64 {
	r := uint64(p.reds)
	if p.ext != nil {
		r |= uint64(p.ext.redsHi) << 32
	}
	return r
}

// countTakenLocked adds n taken messages to the reductions counter.
func (p *Process) countTakenLocked(n int) {
	r := p.reds + uint32(n)
	if r < p.reds {
		p.extLocked().redsHi++
	}
	p.reds = r
}

// describe returns b's Description, or the one of a plain Behavior named
// after its Go type.
func describe(b Behavior) Description {
	if d, ok := b.(Describer); ok {
		return d.Describe()
	}
	mod := typeAtom(b)
	return Description{
		CurrentFunction: MFA{mod, "handle_message", 2},
		InitialCall:     MFA{mod, "init", 1},
	}
}

// typeAtom names b's dynamic type, e.g. 'node.probeBehavior' (reflect
// returns the runtime's own string: no allocation); a BehaviorFunc is
// named after its function, e.g. 'interop.(*Services).rex', since every
// BehaviorFunc has the same type.
func typeAtom(b Behavior) etf.Atom {
	if f, ok := b.(BehaviorFunc); ok && f != nil {
		if fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer()); fn != nil {
			name := fn.Name()
			name = name[strings.LastIndexByte(name, '/')+1:]
			return etf.Atom(strings.TrimSuffix(name, "-fm"))
		}
	}
	return etf.Atom(strings.TrimPrefix(reflect.TypeOf(b).String(), "*"))
}
