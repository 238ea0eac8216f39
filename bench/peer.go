package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/erlgo/erlgo/epmd"
	"github.com/erlgo/erlgo/node"
)

// RunPeer hosts the receiving node of the go-go side: `erlgo bench -peer
// -name N -cookie C -epmd-port P [-cpuprofile F]` starts node N registered with the EPMD on
// port P, registers the erlgo_bench spawner, prints "READY node=N" on
// stdout with the address of its TCP reference server (tcp=host:port,
// the far end of tcp-limit and tcp-pingpong) and runs until stdin closes (the runner exited or closed it).
func RunPeer(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench -peer", flag.ContinueOnError)
	name := fs.String("name", "", "node name (name@host)")
	cookie := fs.String("cookie", "", "distribution cookie")
	port := fs.Int("epmd-port", epmd.PortFromEnv(), "EPMD port (default: $ERL_EPMD_PORT, else 4369)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the peer here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := StartCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *name == "" || *cookie == "" {
		return fmt.Errorf("bench -peer: -name and -cookie are required")
	}
	n, err := node.Start(ctx, *name, node.WithCookie(*cookie), node.WithEPMD("127.0.0.1", *port),
		node.WithListenAddr("127.0.0.1:0"), node.WithLogger(quietLogger()))
	if err != nil {
		return err
	}
	defer stopGoNode(n)
	if err := spawnSpawner(n); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	go serveTCPRef(ln)
	if _, err := fmt.Fprintf(stdout, "READY node=%s tcp=%s\n", n.Name(), ln.Addr()); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, stdin); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}
