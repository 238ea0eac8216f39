%% BEAM side of node/lifecycle_erl_test.go, loaded into a node_peer erl
%% with code:add_patha/1:
%%
%%   start_sleeper()  a gen_server registered as sleeper whose calls
%%                    {sleep, Ms} sleep Ms before replying, so the calls
%%                    behind the first stay pending;
%%   targets(N)       N idle processes (for links and monitors);
%%   sink()           a registered lsink that counts what it receives;
%%   pump(To, Node)   sends integers to To, paced by To's acks, until Node
%%                    goes down;
%%   disconnector()   a registered disconnector: {disconnect, Node} makes
%%                    erl drop the connection (erlang:disconnect_node/1);
%%   anchor()         a registered lc_anchor that traps exits and ignores
%%                    everything, a link partner that outlives its links;
%%   node_counter()   a registered lc_nodes that counts nodeup and nodedown
%%                    (net_kernel:monitor_nodes/1) and answers
%%                    {counts, From} with {lc_nodes, Ups, Downs}.
-module(lifecycle_peer).
-behaviour(gen_server).
-export([start_sleeper/0, targets/1, sink/0, pump/2, disconnector/0, anchor/0, node_counter/0]).
-export([init/1, handle_call/3, handle_cast/2]).

start_sleeper() ->
    {ok, Pid} = gen_server:start({local, sleeper}, ?MODULE, [], []),
    Pid.

init([]) -> {ok, nostate}.

handle_call({sleep, Ms}, _From, S) ->
    timer:sleep(Ms),
    {reply, slept, S}.

handle_cast(_, S) -> {noreply, S}.

targets(N) ->
    [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)].

sink() ->
    Pid = spawn(fun() -> count(0) end),
    register(lsink, Pid),
    Pid.

count(N) ->
    receive
        {count, From} -> From ! {lsink_count, N}, count(N);
        _ -> count(N + 1)
    end.

pump(To, Node) ->
    spawn(fun() -> monitor_node(Node, true), pump_loop(To, 0) end).

%% Sends batches of 200, each followed by {pump_ack, self()} which To
%% answers with pump_ack: the backlog on the connection stays one batch
%% however slowly the receiver reads, so other messages are not stuck
%% behind it. Ends with the connection.
pump_loop(To, I) ->
    [To ! I + K || K <- lists:seq(1, 200)],
    To ! {pump_ack, self()},
    receive
        pump_ack -> pump_loop(To, I + 200);
        {nodedown, _} -> ok
    end.

disconnector() ->
    Pid = spawn(fun disconnect_loop/0),
    register(disconnector, Pid),
    Pid.

disconnect_loop() ->
    receive
        {disconnect, Node} -> erlang:disconnect_node(Node)
    end,
    disconnect_loop().

%% Returns once the counter is subscribed: a nodeup or nodedown between
%% spawn and its first instruction would otherwise go uncounted.
node_counter() ->
    started(lc_nodes, fun() -> ok = net_kernel:monitor_nodes(true) end,
            fun() -> node_count(0, 0) end).

node_count(Ups, Downs) ->
    receive
        {nodeup, _} -> node_count(Ups + 1, Downs);
        {nodedown, _} -> node_count(Ups, Downs + 1);
        {counts, From} -> From ! {lc_nodes, Ups, Downs}, node_count(Ups, Downs)
    end.

%% Returns (and registers the name) only once the anchor traps exits. A
%% spawned process runs its first instruction whenever a scheduler gets to
%% it: on a busy machine the Go side had linked to the anchor and dropped
%% the connection before that, the noconnection exit signal killed the
%% anchor, and the next monitor by name got noproc.
anchor() ->
    started(lc_anchor, fun() -> process_flag(trap_exit, true) end, fun anchor_loop/0).

anchor_loop() ->
    receive _ -> anchor_loop() end.

%% started(Name, Setup, Loop) spawns a process that runs Setup, registers
%% itself as Name and then runs Loop; it returns the pid once the process
%% is registered, so nothing reaches it by name before Setup has run.
started(Name, Setup, Loop) ->
    Parent = self(),
    Tag = make_ref(),
    Pid = spawn(fun() ->
                        Setup(),
                        true = register(Name, self()),
                        Parent ! {Tag, started},
                        Loop()
                end),
    Mref = monitor(process, Pid),
    receive
        {Tag, started} -> demonitor(Mref, [flush]), Pid;
        {'DOWN', Mref, process, Pid, Reason} -> error({not_started, Name, Reason})
    end.
