//go:build !unix

// Spec: Distribution Protocol / Protocol between Connected Nodes, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#protocol-between-connected-nodes

package dist

import (
	"net"
	"syscall"
)

// rawConn: direct writes are only implemented on unix.
func rawConn(net.Conn) syscall.RawConn { return nil }

func (c *Conn) writeDirect(buf []byte) (int, error) { return 0, nil }

// directWrite is unused on this platform.
type directWrite struct{}
