package observer

import (
	"context"
	"errors"

	"github.com/erlgo/erlgo/etf"
)

// Kind values say which kind of node a NodeInfo describes.
const (
	KindErlgo = "erlgo"
	KindBEAM  = "beam"
)

// ErrBadQuery is returned for an invalid process query (unknown sort key).
var ErrBadQuery = errors.New("observer: bad query")

// NodeInfo is the summary of one node (the observer's System tab). The etf
// tags let an erlgo node send it over rpc as a map with atom keys.
type NodeInfo struct {
	Name            string            `json:"name" etf:"name"`
	Kind            string            `json:"kind" etf:"kind"`
	Creation        uint32            `json:"creation,omitempty" etf:"creation,omitempty"`
	UptimeSeconds   float64           `json:"uptime_seconds" etf:"uptime_seconds"`
	GoVersion       string            `json:"go_version,omitempty" etf:"go_version,omitempty"`
	OTPRelease      string            `json:"otp_release,omitempty" etf:"otp_release,omitempty"`
	GOMAXPROCS      int               `json:"gomaxprocs,omitempty" etf:"gomaxprocs,omitempty"`
	Schedulers      int               `json:"schedulers,omitempty" etf:"schedulers,omitempty"`
	Goroutines      int               `json:"goroutines,omitempty" etf:"goroutines,omitempty"`
	HeapBytes       uint64            `json:"heap_bytes,omitempty" etf:"heap_bytes,omitempty"`
	MemoryBytes     uint64            `json:"memory_bytes,omitempty" etf:"memory_bytes,omitempty"`
	Memory          map[string]uint64 `json:"memory,omitempty" etf:"memory,omitempty"`
	ProcessCount    int               `json:"process_count" etf:"process_count"`
	RegisteredCount int               `json:"registered_count" etf:"registered_count"`
	Registered      []string          `json:"registered" etf:"registered"`
	ConnectedNodes  []string          `json:"connected_nodes" etf:"connected_nodes"`
	ListenAddr      string            `json:"listen_addr,omitempty" etf:"listen_addr,omitempty"`
	// RunQueue is the number of runnable processes (BEAM's
	// statistics(run_queue)); nil when the node does not tell.
	RunQueue *int `json:"run_queue,omitempty" etf:"run_queue,omitempty"`
	// IOInBytes and IOOutBytes are the node's cumulative I/O counters
	// (statistics(io) on BEAM, distribution bytes on a Go node).
	IOInBytes  *uint64 `json:"io_in_bytes,omitempty" etf:"io_in_bytes,omitempty"`
	IOOutBytes *uint64 `json:"io_out_bytes,omitempty" etf:"io_out_bytes,omitempty"`
}

// ProcessInfo is one row of the process list. Pointer fields are nil (and
// omitted from JSON) when the node cannot measure them.
type ProcessInfo struct {
	PID             string  `json:"pid" etf:"pid"`
	Name            string  `json:"name,omitempty" etf:"name,omitempty"`
	MessageQueueLen *int    `json:"message_queue_len,omitempty" etf:"message_queue_len,omitempty"`
	Memory          *uint64 `json:"memory,omitempty" etf:"memory,omitempty"`
	Reductions      *uint64 `json:"reductions,omitempty" etf:"reductions,omitempty"`
	CurrentFunction string  `json:"current_function,omitempty" etf:"current_function,omitempty"`
}

// ProcessList is the answer of /api/processes. Scope is "all" when every
// process was considered and "registered" when only registered processes
// are visible (a Go node); Total is the node's process count and Truncated
// tells that the node had more processes than the scan cap.
type ProcessList struct {
	Scope     string        `json:"scope" etf:"scope"`
	Total     int           `json:"total" etf:"total"`
	Truncated bool          `json:"truncated,omitempty" etf:"truncated,omitempty"`
	Processes []ProcessInfo `json:"processes" etf:"processes"`
}

// NetworkInfo lists a node's connections: all of them (nodes(connected)),
// the visible ones (nodes()) and the hidden ones (nodes(hidden)). Visible
// and Hidden are nil (JSON null) when the node cannot tell them apart, and
// empty lists when it can and has none.
type NetworkInfo struct {
	Name      string   `json:"name" etf:"name"`
	Connected []string `json:"connected" etf:"connected"`
	Visible   []string `json:"visible" etf:"visible,omitempty"`
	Hidden    []string `json:"hidden" etf:"hidden,omitempty"`
}

// Query selects and orders a process list.
type Query struct {
	// Sort is "mailbox" (default), "memory", "reductions" or "name".
	Sort string
	// Limit caps the rows returned (default 200).
	Limit int
	// Filter keeps the processes whose registered name or pid contains
	// it, ignoring case (at most 200 bytes); empty keeps all. Total then
	// counts the matching processes.
	Filter string
}

// Source provides the data about one node. Local and Remote are the two
// implementations; WithSource plugs in another.
type Source interface {
	// Node returns the node summary.
	Node(ctx context.Context) (NodeInfo, error)
	// Processes returns up to q.Limit processes in q.Sort order; an
	// unknown sort key fails with ErrBadQuery.
	Processes(ctx context.Context, q Query) (ProcessList, error)
	// Network returns the node's connections.
	Network(ctx context.Context) (NetworkInfo, error)
}

// ErrNoProcess is returned for a pid that names no live process.
var ErrNoProcess = errors.New("observer: no such process")

// ErrReadOnly is returned by Kill on a handler made WithReadOnly.
var ErrReadOnly = errors.New("observer: read-only")

// ProcessDetail is the answer of /api/process: what Erlang's observer
// shows in a process window. Fields the node cannot provide are empty.
// Terms (messages, state, dictionary values) are formatted as Erlang
// would print them, cut at a few kilobytes each.
type ProcessDetail struct {
	ProcessInfo
	Status        string   `json:"status,omitempty" etf:"status,omitempty"`
	InitialCall   string   `json:"initial_call,omitempty" etf:"initial_call,omitempty"`
	Messages      []string `json:"messages,omitempty" etf:"messages,omitempty"`
	MessagesShown string   `json:"messages_note,omitempty" etf:"messages_note,omitempty"`
	Links         []string `json:"links,omitempty" etf:"links,omitempty"`
	Monitors      []string `json:"monitors,omitempty" etf:"monitors,omitempty"`
	MonitoredBy   []string `json:"monitored_by,omitempty" etf:"monitored_by,omitempty"`
	TrapExit      bool     `json:"trap_exit,omitempty" etf:"trap_exit,omitempty"`
	Dictionary    []string `json:"dictionary,omitempty" etf:"dictionary,omitempty"`
	Supervisor    bool     `json:"supervisor,omitempty" etf:"supervisor,omitempty"`
	State         string   `json:"state,omitempty" etf:"state,omitempty"`
	StateError    string   `json:"state_error,omitempty" etf:"state_error,omitempty"`
}

// AppInfo is one running application and its supervision tree.
type AppInfo struct {
	Name        string   `json:"name" etf:"name"`
	Description string   `json:"description,omitempty" etf:"description,omitempty"`
	Version     string   `json:"version,omitempty" etf:"version,omitempty"`
	Root        string   `json:"root,omitempty" etf:"root,omitempty"`
	Tree        *SupNode `json:"tree,omitempty" etf:"tree,omitempty"`
}

// SupNode is one node of a supervision tree (supervisor:which_children).
// Children is set for supervisors only; Error says why a supervisor's
// children could not be read.
type SupNode struct {
	ID       string     `json:"id" etf:"id"`
	PID      string     `json:"pid,omitempty" etf:"pid,omitempty"`
	Type     string     `json:"type" etf:"type"` // worker | supervisor
	Children []*SupNode `json:"children,omitempty" etf:"children,omitempty"`
	Error    string     `json:"error,omitempty" etf:"error,omitempty"`
}

// ConnInfo is one distribution connection and its counters. Counters are
// nil when the node does not report them: a BEAM node reports packets in
// and out (net_kernel:node_info/1) as MessagesIn/Out; a Go node messages,
// bytes, and as QueueDepth the encoded bytes waiting for the writer.
type ConnInfo struct {
	Node        string  `json:"node" etf:"node"`
	Type        string  `json:"type,omitempty" etf:"type,omitempty"` // visible | hidden
	Address     string  `json:"address,omitempty" etf:"address,omitempty"`
	BytesIn     *uint64 `json:"bytes_in,omitempty" etf:"bytes_in,omitempty"`
	BytesOut    *uint64 `json:"bytes_out,omitempty" etf:"bytes_out,omitempty"`
	MessagesIn  *uint64 `json:"messages_in,omitempty" etf:"messages_in,omitempty"`
	MessagesOut *uint64 `json:"messages_out,omitempty" etf:"messages_out,omitempty"`
	QueueDepth  *uint64 `json:"queue_depth,omitempty" etf:"queue_depth,omitempty"`
}

// Inspector is what a Source offers beyond listing: a process's detail,
// killing it, applications and connection statistics. Local and Remote
// implement it; a Source without it serves the lists only.
type Inspector interface {
	// Process returns the detail of the process pid (as ProcessInfo.PID
	// prints it), with sys:get_state when the process is known to answer
	// sys messages (started by proc_lib, an actor); forceState asks any
	// process (a plain one never answers: State is then empty after a 2 s
	// wait, and the request stays in its mailbox). A dead or unknown pid
	// is ErrNoProcess.
	Process(ctx context.Context, pid string, forceState bool) (ProcessDetail, error)
	// Kill sends exit(pid, reason) to the process.
	Kill(ctx context.Context, pid string, reason etf.Atom) error
	// Applications lists the running applications with their trees.
	Applications(ctx context.Context) ([]AppInfo, error)
	// Connections lists the node's connections with their counters.
	Connections(ctx context.Context) ([]ConnInfo, error)
}
