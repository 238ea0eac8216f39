// Package port runs an external OS program as an erlgo process, the way
// open_port/2 runs one on BEAM: the program's stdout arrives as messages
// to the port's owner, the owner writes to its stdin, and the port's life
// is tied to the owner's by a link.
//
//	pt, err := port.Open(ctx, p, "sort", nil, port.WithLine(1024), port.WithExitStatus())
//	...
//	err = pt.Command(ctx, []byte("banana\napple\n"))
//	err = pt.Close(ctx) // EOF on stdin; sort prints and exits
//
// p (a *node.Process, the owner) then receives, in order,
//
//	{Port, {data, {eol, <<"apple">>}}}
//	{Port, {data, {eol, <<"banana">>}}}
//	{Port, {exit_status, 0}}
//	{'EXIT', Port, normal}          (as node.ExitMsg, when p traps exits)
//
// # The port is a process
//
// Open spawns a process linked to the owner (node.Process.SpawnLink) that
// traps exits; Port.ID is its pid, which stands where ERTS has a port
// identifier: it is the first element of every message the port sends,
// and any process (on this node or another, BEAM included) can link to
// it, monitor it, register it (WithSpawnOptions(node.WithName(...)), which
// also lists it in the observer) or send it open_port's messages:
//
//	{Owner, {command, Data}}   write iodata (binaries, bytes, lists of them)
//	{Owner, close}             close as Close does; the port replies {Port, closed}
//
// As on ERTS, a message that is none of these, names another pid than the
// owner, or carries data that is not iodata sends the owner an exit signal
// badsig and leaves the port running; a {packet, 1} or {packet, 2}
// command too large for its header ends the port with einval.
// {Owner, {connect, Pid}} (changing the owner) is not supported and is
// answered with badsig.
//
// The owner's exit, with any reason (normal too), reaches the port
// through the link and ends it with that reason, as a port closes when
// its owner terminates; an owner that unlinked its port leaves it
// running, as on ERTS (Node.Stop still ends it). The port's exit reaches the owner
// through the link: an abnormal reason (emsgsize, einval, a reason sent
// with exit/2) kills an owner that does not trap exits, a normal one is
// {'EXIT', Port, normal} for a trapping owner. A port therefore belongs in
// a supervision tree the way it does on BEAM: under a worker that owns it
// (an actors.Actor that opens it in Init and stops on its exit_status).
//
// # Framing
//
// WithStream (the default) delivers stdout as it is read, in chunks of at
// most 64 KiB. WithPacket(N) reads and writes messages behind an N-byte
// big-endian length. WithLine(L) delivers {eol, Line} and {noeol, Part}
// exactly as ERTS does: "\n" and "\r\n" end a line, a line longer than L
// comes as L-byte noeol parts and a final eol, output that ends without a
// newline as noeol. Data is []byte (an Erlang binary) unless WithText
// asks for open_port's list mode, an etf.Charlist of one code point per
// byte. Command frames what it writes in the same way.
//
// # The OS process
//
// The program runs in its own process group, so that a kill reaches what
// a shell started too. When the port exits before the program (the owner
// died, the node stops, exit/2), the group gets SIGTERM and, if anything
// is still running after the grace period (WithGracePeriod, default 2 s),
// SIGKILL; the program is always reaped and every pipe and goroutine of
// the port is gone when Port.Done is closed. When the program exits by
// itself, the port delivers what is left of its output, then exit_status
// (WithExitStatus: the exit code, or 128+N after signal N, as ERTS), then
// exits normal. Close closes stdin after everything written and waits:
// a program still running a grace period later gets SIGTERM, one still
// running after another gets SIGKILL; output and exit_status keep
// arriving meanwhile; CloseInput does the same without waiting. Node.Stop
// ends every port before it returns.
//
// stderr is inherited (the default, as open_port), merged into stdout
// (StderrMerge, open_port's stderr_to_stdout), delivered as {Port,
// {stderr, Data}} chunks (StderrSeparate, which OTP lacks) or discarded.
//
// # Backpressure
//
// ERTS delivers a port's output however far behind its owner is. Here the
// port reads stdout only while the owner's mailbox holds fewer than the
// window's messages (WithWindow, default 64): a program that floods
// stdout blocks on a full pipe instead of growing the owner's heap, and at
// most about two windows of output exist at once. While a Close waits the
// window is lifted, since an owner blocked in Close cannot drain; the
// grace periods bound that time. The other way, Command
// waits (under its ctx) while more than the write buffer (WithWriteBuffer,
// default 1 MiB) waits for the program to read; {command, Data} messages
// cannot wait and are queued as ERTS queues them. Command may be called
// from any goroutine (it writes as the owner): an owner that pushes much
// more input than a window of output from inside one handler waits on a
// program that waits on the owner (it stops reading stdin while its
// stdout is full), as with any pair of pipes, until ctx ends; write bulk
// input from another goroutine, as the tests and benchmarks do.
package port
