// Package web serves HTTP with erlgo processes: an http.Handler that
// turns each request into a gen_server call to a worker (a Go actor, an
// actors.Pool, a gen_server on a BEAM node) and writes the worker's
// reply, a WebWorker behaviour with one callback per HTTP method,
// streaming responses, and WebSocket connections as processes.
//
// # Components are processes
//
// A Handler and a WebSocket endpoint are http.Handlers that serve while
// their process runs. Start runs the process linked to an owner (it ends
// with the owner, and the owner gets an exit signal, or a DOWN when it
// monitors, when it ends); Actor gives it to an actors.Supervisor, and
// every restart serves the same http.Handler again. Meanwhile requests
// get 503. The process is a gen_server: name it with node.WithName to
// find it in the observer; sys:get_state shows its counters.
//
// # Requests and replies (the term protocol)
//
// Each HTTP request gets its own process, linked to the Handler's
// process, which calls the target with gen_server's protocol. A Go worker
// on the same node receives the *Request itself; a worker on another node
// receives
//
//	{web_request, #{method => <<"GET">>, path => <<"/users/7">>, query => <<"x=1">>,
//	                headers => [{<<"accept">>, <<"*/*">>}, ...],   % names in lower case
//	                body => <<>>, host => <<"example.com">>, remote => <<"10.0.0.1:5123">>}}
//
// and replies
//
//	{web_response, Status, [{Name, Value}], Body}   % Body is iodata
//	{web_stream, Status, [{Name, Value}]}
//
// so a plain BEAM gen_server answers web requests with handle_call. After
// {web_stream, ...} any process sends the request's process (the pid in
// the call's From) {web_chunk, IoData} messages, each written and flushed
// to the client as it arrives, and then web_end.
//
// What the client gets when things go wrong:
//
//   - 413: the body is over WithMaxBodyBytes (it never reaches a worker).
//   - 500: the worker exited before replying (also a killed WebWorker),
//     or a WebWorker callback panicked or returned an error.
//   - 502: the reply is not one of the shapes above, or carries a header
//     net/http would refuse (so a worker cannot split the response).
//   - 503: no handler process, no such target, the target's node cannot
//     be reached, or the handler process ended mid-request.
//   - 504: no reply within WithTimeout; mid-stream, a chunk that does not
//     come within it cuts the connection.
//
// A stream that fails (its process exits abnormally) or times out cuts
// the connection, so the client sees an error rather than a body that
// looks complete. A client that goes away ends the request's context and
// its process, which ends the stream's process.
//
// Behind an actors.Pool the caller monitors the pool, not the worker: a
// plain gen_server that dies mid-request behind a pool leaves the client
// waiting for the timeout (504). A killed WebWorker still answers 500
// once its callback returns (see below); only a callback that itself
// blocks past the timeout leaves the client with 504.
//
// # WebWorker
//
// NewWebWorker wraps a value with any of HandleGet, HandlePost, HandlePut,
// HandlePatch, HandleDelete (and HandleRequest for the rest) into an
// actor. A method without its callback gets 405 with an Allow header. A
// callback that panics or returns an error answers 500 and the worker
// goes on; Error(status, text) answers with a chosen status. A Response
// with Stream set streams: the function runs in a process of its own,
// linked to the request's, and writes chunks to a ChunkWriter that waits
// while WithWindow chunks are unwritten, so a slow client slows the
// stream down instead of filling memory. Process(ctx) is the worker's
// process, for calls to other processes; a kill ends such a call at once.
//
// # WebSocket
//
// NewWebSocket accepts connections with github.com/coder/websocket. Each
// connection is a process, linked to the endpoint's, that spawns the
// connection's handler process (from a HandlerFactory) linked to it, as
// gen_tcp's controlling process:
//
//	to the handler:  {websocket, Conn, {text | binary, Data}}
//	from anyone:     {websocket_send, {text | binary, IoData}}
//	                 websocket_close | {websocket_close, Code, Reason}
//
// Conn.Send writes directly. The connection's end reaches the handler as
// an exit signal (a DOWN for monitors): {shutdown, {websocket_closed,
// Code}} when the client closes or Close is asked for (Code the close
// code, or abnormal without a close frame), which ends a handler that
// does not trap exits. The handler's end closes the socket: 1000 for
// normal or shutdown, 1011 otherwise; the endpoint's end closes every
// connection with 1001. A frame over WithReadLimit closes with 1009.
// While the handler's mailbox is full (WithMailboxLimit) the client is
// not read, so TCP slows it down.
package web
