// Spec: kernel rpc, https://www.erlang.org/doc/man/rpc.html

package interop

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// ErrBadReply is returned when a peer's rex answers with something that is
// not an rpc result.
var ErrBadReply = errors.New("interop: unexpected rpc reply")

// RPC calls module:function(args...) on the node named to (a BEAM node or
// another erlgo node running Services) and returns its value, like
// erpc:call/4. args are converted with etf.ToTerm.
//
// Errors:
//   - *Exception when the function raised: errors.Is(err, ErrThrow),
//     ErrExit or ErrError tells the class, ErrUndef an unknown function;
//     a process killed by a signal while running gives class exit with
//     reason {signal, Reason};
//   - node.ErrNoConnection when the node cannot be reached or is lost;
//   - node.ErrTimeout when ctx's deadline passes (without a deadline the
//     node's call timeout applies, 5 s by default: give long calls one);
//   - node.ErrNoProc when the node runs no rex server.
//
// The request travels through the peer's rex server as a call of
// erpc:execute_call/4, whose result keeps the exception class, so it works
// with every node that has rex and erpc (OTP 23+), with no remote spawn on
// our side. The remote group leader is this node's user io server when
// Services run on n (what the function prints is written here), else the
// remote node's own user.
func RPC(ctx context.Context, n *node.Node, to etf.Atom, module, function etf.Atom, args etf.List) (etf.Term, error) {
	targs, err := etf.ToTerm(args)
	if err != nil {
		return nil, fmt.Errorf("interop: rpc arguments: %w", err)
	}
	ref := n.MakeRef()
	req := etf.Tuple{etf.Atom("call"), atomErpc, etf.Atom("execute_call"),
		etf.List{ref, module, function, targs}, groupLeaderFor(n)}
	reply, err := n.Call(ctx, etf.Tuple{RexName, to}, req)
	if err != nil {
		return nil, err
	}
	return decodeRPCReply(ref, reply, n.Registry())
}

// decodeRPCReply maps {badrpc, {'EXIT', {Ref, Class, ...}}} to a value or
// an *Exception (whose Unwrap is the registered error reg knows the
// reason of, for error-class exceptions).
func decodeRPCReply(ref etf.Ref, reply etf.Term, reg *etf.Registry) (etf.Term, error) {
	t, ok := reply.(etf.Tuple)
	if !ok || len(t) != 2 || t[0] != atomBadRPC {
		return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(reply))
	}
	if t[1] == etf.Atom("nodedown") {
		return nil, node.ErrNoConnection
	}
	exit, ok := t[1].(etf.Tuple)
	if !ok || len(exit) != 2 || exit[0] != atomEXIT {
		return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(reply))
	}
	res, ok := exit[1].(etf.Tuple)
	if !ok || len(res) < 3 || !etf.Equal(res[0], ref) {
		// The worker died of an exit signal before producing a result.
		return nil, &Exception{Class: ClassExit, Reason: etf.Tuple{etf.Atom("signal"), exit[1]}}
	}
	switch {
	case res[1] == atomReturn && len(res) == 3:
		return res[2], nil
	case res[1] == etf.Atom(ClassThrow) && len(res) == 3:
		return nil, &Exception{Class: ClassThrow, Reason: res[2]}
	case res[1] == etf.Atom(ClassExit) && len(res) == 3:
		return nil, &Exception{Class: ClassExit, Reason: res[2]}
	case res[1] == etf.Atom(ClassError) && len(res) == 4:
		return nil, &Exception{Class: ClassError, Reason: res[2], Stack: res[3], cause: registeredCause(reg, res[2])}
	case res[1] == etf.Atom(ClassError) && len(res) == 3:
		// {Ref, error, {erpc, Reason}}: erpc's own argument errors.
		return nil, &Exception{Class: ClassError, Reason: res[2]}
	}
	return nil, fmt.Errorf("%w: %s", ErrBadReply, etf.Format(reply))
}

// groupLeaderFor is the group leader argument of rpc requests made from
// n: its io server if Services run there, else the atom user.
func groupLeaderFor(n *node.Node) etf.Term {
	if pid, ok := n.Whereis(UserName); ok {
		return pid
	}
	return UserName
}

// Cast runs module:function(args...) on node to without waiting for a
// result, like rpc:cast/4 (through the peer's rex). The error is non-nil
// only when the request could not be sent.
func Cast(ctx context.Context, n *node.Node, to etf.Atom, module, function etf.Atom, args etf.List) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	targs, err := etf.ToTerm(args)
	if err != nil {
		return fmt.Errorf("interop: cast arguments: %w", err)
	}
	msg := node.GenCastMsg(etf.Tuple{etf.Atom("cast"), module, function, targs, groupLeaderFor(n)})
	return n.Send(etf.Tuple{RexName, to}, msg)
}

// Result is the outcome of RPC on one node of a Multicall.
type Result struct {
	Node  etf.Atom
	Value etf.Term
	Err   error
}

// Multicall runs RPC on every node in parallel, like erpc:multicall/4,
// and returns one Result per node, in the order given.
func Multicall(ctx context.Context, n *node.Node, nodes []etf.Atom, module, function etf.Atom, args etf.List) []Result {
	out := make([]Result, len(nodes))
	var wg sync.WaitGroup
	for i, to := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := RPC(ctx, n, to, module, function, args)
			out[i] = Result{Node: to, Value: v, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// Format writes io_lib:format(format, args) to the group leader of p, as
// io:format/2 does in BEAM code: when p was spawned from BEAM (remote
// spawn, erpc, rpc), the text appears in the caller's shell. The BEAM group
// leader does the formatting, so format uses Erlang's directives (~p, ~s,
// ~n ...).
func Format(ctx context.Context, p *node.Process, format string, args etf.List) error {
	gl := p.GroupLeader()
	if gl == (etf.PID{}) {
		return ErrNoGroupLeader
	}
	return FormatTo(ctx, p.Node(), gl, format, args)
}

// FormatTo is Format with an explicit group leader (any io server pid).
func FormatTo(ctx context.Context, n *node.Node, gl etf.PID, format string, args etf.List) error {
	targs, err := etf.ToTerm(args)
	if err != nil {
		return fmt.Errorf("interop: format arguments: %w", err)
	}
	if targs == nil {
		targs = etf.List{}
	}
	return ioRequest(ctx, n, gl, etf.Tuple{atomPutChars, etf.Atom("unicode"),
		etf.Atom("io_lib"), etf.Atom("format"), etf.List{etf.Charlist(format), targs}})
}

// PutChars writes text to the group leader of p (io:put_chars/1).
func PutChars(ctx context.Context, p *node.Process, text string) error {
	gl := p.GroupLeader()
	if gl == (etf.PID{}) {
		return ErrNoGroupLeader
	}
	return PutCharsTo(ctx, p.Node(), gl, text)
}

// PutCharsTo is PutChars with an explicit group leader.
func PutCharsTo(ctx context.Context, n *node.Node, gl etf.PID, text string) error {
	return ioRequest(ctx, n, gl, etf.Tuple{atomPutChars, etf.Atom("unicode"), etf.Binary(text)})
}

// ioRequest sends one io request and waits for its io_reply. A reply other
// than ok is returned as an error.
func ioRequest(ctx context.Context, n *node.Node, gl etf.PID, req etf.Term) error {
	reply, err := request(ctx, n, gl,
		func(self etf.PID, tag etf.Ref) etf.Term {
			return etf.Tuple{atomIORequest, self, tag, req}
		},
		func(tag etf.Ref, msg etf.Term) (etf.Term, bool) {
			t, ok := msg.(etf.Tuple)
			if !ok || len(t) != 3 || t[0] != atomIOReply || !etf.Equal(t[1], tag) {
				return nil, false
			}
			return t[2], true
		})
	if err != nil {
		return err
	}
	if reply != atomOK {
		return fmt.Errorf("interop: io request failed: %s", etf.Format(reply))
	}
	return nil
}
