package node

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/erltest"
)

// BenchmarkRemoteSpawn: one caller spawning a process that returns at
// once, one spawn after the other (each waits for its SPAWN_REPLY), Go and
// BEAM on either side: go-erl and erl-erl share the receiving erl node;
// erl-go and go-go share the receiving Go node.
func BenchmarkRemoteSpawn(b *testing.B) {
	needErl(b)
	port := startEPMD(b)
	id := itoa(int(nodeSeq.Add(1))) + strconv.Itoa(os.Getpid())
	cookie := "rsbench" + id
	ea := startErl(b, port, "rsba"+id, cookie)
	eb := startErl(b, port, "rsbb"+id, cookie)
	g := distNode(b, "rsbg"+id+"@127.0.0.1", port, cookie)
	g2 := distNode(b, "rsbg2"+id+"@127.0.0.1", port, cookie)
	quick := func(etf.List) (Behavior, error) { return exitAtOnce{reason: Normal}, nil }
	if err := g.RegisterSpawnable("remote_spawn_peer", "quick", quick); err != nil {
		b.Fatal(err)
	}
	pr := spawnProbe(b, g2)
	dir := erltest.Compile(b, "testdata", "remote_spawn_peer.erl")
	for _, e := range []*erlPeer{ea, eb} {
		e.eval(b, pr, `code:add_patha("`+dir+`"), {module, _} = code:ensure_loaded(remote_spawn_peer), ok.`)
	}
	goLoop := func(b *testing.B, to etf.Atom) {
		var err error
		pr.do(func(p *Process) error {
			b.ResetTimer()
			for i := 0; i < b.N && err == nil; i++ {
				_, err = p.RemoteSpawn(context.Background(), to, "remote_spawn_peer", "quick", nil)
			}
			b.StopTimer()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	erlLoop := func(b *testing.B, to etf.Atom) {
		b.ResetTimer()
		r := ea.eval(b, pr, `remote_spawn_peer:spawn_loop('`+string(to)+`', `+strconv.Itoa(b.N)+`).`)
		b.StopTimer()
		if r != etf.Atom("ok") {
			b.Fatalf("erl: %#v", r)
		}
	}
	b.Run("go-erl", func(b *testing.B) { goLoop(b, eb.name) })
	b.Run("erl-erl", func(b *testing.B) { erlLoop(b, eb.name) })
	b.Run("go-go", func(b *testing.B) { goLoop(b, g.Name()) })
	b.Run("erl-go", func(b *testing.B) { erlLoop(b, g.Name()) })
}
