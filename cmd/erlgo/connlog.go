package main

import (
	"log/slog"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// logConnections spawns a process on n that logs every visible peer's
// connection coming up and going down at Info: the library logs those at
// Debug (it does not know whether anyone asked), the CLI's user did. It
// is net_kernel:monitor_nodes(true), so hidden peers are left out, as in
// erl; -v shows them through the library's Debug lines.
func logConnections(n *node.Node, log *slog.Logger) error {
	_, err := n.Spawn(connLogger{log: log}, node.WithName("erlgo_connlog"))
	return err
}

// connLogger is the behaviour of logConnections' process.
type connLogger struct{ log *slog.Logger }

func (c connLogger) Init(p *node.Process) error {
	p.MonitorNodes(true)
	return nil
}

func (c connLogger) HandleMessage(_ *node.Process, msg etf.Term) error {
	switch m := msg.(type) {
	case node.NodeUpMsg:
		c.log.Info("connection up", "peer", string(m.Node))
	case node.NodeDownMsg:
		c.log.Info("connection down", "peer", string(m.Node))
	}
	return nil
}

func (connLogger) Terminate(*node.Process, etf.Term) {}
