// Package events is a cluster-wide publish/subscribe of named events with
// Erlang semantics: a producer registers an event and gets a Token; whoever
// holds the token publishes; subscribers anywhere in the cluster monitor
// or link the event, get its last N messages when they subscribe, and get
// a real DOWN or exit signal when the producer dies.
//
//	srv, _ := events.Start(ctx, n)                  // erlgo_events on n
//	tok, _ := srv.Register(ctx, producer, "prices", events.WithBuffer(10), events.WithNotify())
//	events.Publish(producer, tok, etf.Tuple{etf.Atom("eur"), 1.08})
//
//	// on any Go node running Start:
//	ref, last, _ := srv2.Monitor(ctx, p, events.Event{Name: "prices", Node: n.Name()})
//	// p receives events.Message{Event, Msg} for each message, and
//	// node.DownMsg{Ref: ref, Reason: ...} when the event ends.
//
// # Model
//
// Each event is a process on the producer's node (Token.PID). It monitors
// the producer and exits with the producer's exit reason, so subscribers,
// which monitor or link the event process natively, get the same DOWN or
// EXIT a BEAM process would, across nodes and from BEAM too, including
// noconnection when the event's node is lost.
//
// Each node runs one service process, registered as erlgo_events
// (ServiceName), supervised like the node's other services. It is the
// event's only subscriber for all the processes of its node: the event
// sends each message once per subscribing node, and the service hands a
// Message to each local subscriber, in order. A BEAM process subscribes
// to the event process itself, and gets its own copy of each message as
// the term {erlgo_event, {Name, Node}, Msg}.
//
// Ordering: messages published by one process reach each subscriber in
// the order they were published (Erlang's per-pair order, kept along
// producer -> event -> service -> subscriber).
//
// # BEAM protocol
//
// docs/events.md documents every message with Erlang and Elixir examples:
// gen_server:call({erlgo_events, Node}, {lookup, Name}) returns
// {ok, EventPid}; the subscriber monitors or links EventPid itself and
// calls gen_server:call(EventPid, subscribe), answered {ok, LastN}; a
// BEAM process can also register an event ({register, Name, Opts}) and
// publish with its token (EventPid ! {publish, Ref, Msg}).
//
// Requests from peers are bounded and checked: a malformed one is answered
// {error, badarg} (or dropped, for a plain message), buffers are capped
// (WithMaxBuffer), and the service is restarted if it ever exits.
package events
