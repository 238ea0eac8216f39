package port

import (
	"context"
	"io"
	"os/exec"
	"strconv"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// benchSize is what one iteration moves: large enough that starting the
// program is noise.
const benchSize = 64 << 20

// BenchmarkPortThroughput compares a port with a plain os/exec pipe on the
// same program: "read" takes head -c 64M /dev/zero's output (the port
// delivers it as messages to an owner that counts them; os/exec copies it
// to io.Discard), "echo" pushes 64 MiB through cat and reads it back.
func BenchmarkPortThroughput(b *testing.B) {
	head := []string{"-c", strconv.Itoa(benchSize), "/dev/zero"}
	b.Run("read/port", func(b *testing.B) {
		n := localNode(b)
		b.SetBytes(benchSize)
		for b.Loop() {
			if got := portRun(b, n, "head", head, nil); got != benchSize {
				b.Fatalf("read %d bytes", got)
			}
		}
	})
	b.Run("read/exec", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			cmd := exec.Command("head", head...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			if got, _ := io.Copy(io.Discard, out); got != benchSize {
				b.Fatalf("read %d bytes", got)
			}
			_ = cmd.Wait()
		}
	})
	chunk := make([]byte, 64<<10)
	b.Run("echo/port", func(b *testing.B) {
		n := localNode(b)
		b.SetBytes(benchSize)
		for b.Loop() {
			got := portRun(b, n, "cat", nil, func(pt *Port) {
				ctx := context.Background()
				for range benchSize / len(chunk) {
					if err := pt.Command(ctx, chunk); err != nil {
						b.Error(err)
						return
					}
				}
				go pt.Close(ctx)
			})
			if got != benchSize {
				b.Fatalf("echoed %d bytes", got)
			}
		}
	})
	b.Run("echo/exec", func(b *testing.B) {
		b.SetBytes(benchSize)
		for b.Loop() {
			cmd := exec.Command("cat")
			in, _ := cmd.StdinPipe()
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			go func() {
				for range benchSize / len(chunk) {
					if _, err := in.Write(chunk); err != nil {
						break
					}
				}
				in.Close()
			}()
			if got, _ := io.Copy(io.Discard, out); got != benchSize {
				b.Fatalf("echoed %d bytes", got)
			}
			_ = cmd.Wait()
		}
	})
}

// portRun opens name under a fresh owner that counts the data it
// receives, runs feed (if any) on its own goroutine and returns the count
// once the port has exited.
func portRun(b *testing.B, n *node.Node, name string, args []string, feed func(*Port)) int {
	var total, msgs int
	done := make(chan struct{})
	opened := make(chan *Port, 1)
	owner := node.BehaviorFunc(func(p *node.Process, msg etf.Term) error {
		switch m := msg.(type) {
		case etf.Atom:
			pt, err := Open(context.Background(), p, name, args)
			if err != nil {
				return err
			}
			opened <- pt
		case etf.Tuple:
			total += len(m[1].(etf.Tuple)[1].([]byte))
			msgs++
		case node.ExitMsg:
			close(done)
			return &node.ExitError{Reason: node.Normal}
		}
		return nil
	})
	pid, err := n.Spawn(owner, node.WithTrapExit())
	if err != nil {
		b.Fatal(err)
	}
	_ = n.Send(pid, etf.Atom("open"))
	pt := <-opened
	if feed != nil {
		go feed(pt)
	}
	<-done
	b.ReportMetric(float64(msgs), "msgs/run")
	return total
}
