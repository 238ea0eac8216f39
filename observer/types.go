package observer

import (
	"context"
	"errors"
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
